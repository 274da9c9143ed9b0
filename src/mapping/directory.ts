/**
 * Who is who: turns calids into mail addresses and back, calid `mailto:addr` included
 * (docs/architecture.md#identity-and-data-mapping).
 * The CalDAV server knows no mail addresses, so a user's mail is `user@<mail domain>`; a mail
 * address in that domain belongs to the user named by its local part.
 */
export class Directory {
  private readonly domain: string;

  constructor(mailDomain: string | undefined) {
    // Without a configured domain the addresses still have to be valid mailto: URIs.
    this.domain = (mailDomain ?? 'localhost').toLowerCase();
  }

  mailOf(user: string): string {
    return `${user}@${this.domain}`;
  }

  /** The user owning a mail address (with or without `mailto:`), or undefined when not local. */
  userOfMail(address: string): string | undefined {
    const mail = stripMailto(address);
    const at = mail.lastIndexOf('@');
    if (at <= 0) return undefined;
    if (mail.slice(at + 1).toLowerCase() !== this.domain) return undefined;
    return mail.slice(0, at);
  }
}

export function stripMailto(address: string): string {
  return address.replace(/^mailto:/i, '');
}
