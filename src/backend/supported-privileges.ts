import { DAV_NS, clark } from './multistatus.js';
import { childOf, childrenOf, type XmlElement } from './xml-reader.js';

/** A privilege by namespace and local name. */
export interface Privilege {
  ns: string;
  name: string;
}

interface PrivilegeNode {
  privilege: Privilege;
  abstract: boolean;
  parent: string | undefined;
}

/**
 * A collection's DAV:supported-privilege-set (RFC 3744 §5.3): which privileges an ACE may name
 * there. Abstract privileges (§5.3: "MUST NOT be used in an ACE") and privileges the collection does
 * not have are answered with 403 by the ACL method (§8.1.1 no-abstract, not-supported-privilege);
 * Cyrus 3.6 makes `write-acl` abstract under its own `admin` and has the RFC 6638 scheduling
 * privileges only on the scheduling inbox and outbox, not on calendars.
 */
export class SupportedPrivileges {
  private readonly nodes = new Map<string, PrivilegeNode>();

  /** `set`: the supported-privilege-set element, or undefined when the server reported none. */
  constructor(set: XmlElement | undefined) {
    if (set) for (const child of childrenOf(set, DAV_NS, 'supported-privilege')) this.walk(child, undefined);
  }

  /** Whether the server described its privileges at all (otherwise every privilege is sent as asked). */
  get known(): boolean {
    return this.nodes.size > 0;
  }

  /**
   * What an ACE may name to give `wanted`: the privilege itself when the server supports it
   * concretely; for an abstract one the nearest concrete aggregate containing it (Cyrus: `write-acl`
   * → its `admin`), which gives at least what was asked; undefined when the collection has no such
   * privilege (nothing can give it there).
   */
  concrete(wanted: Privilege): Privilege | undefined {
    if (!this.known) return wanted;
    let node = this.nodes.get(clark(wanted.ns, wanted.name));
    while (node?.abstract) node = node.parent === undefined ? undefined : this.nodes.get(node.parent);
    return node?.privilege;
  }

  private walk(element: XmlElement, parent: string | undefined): void {
    const privilege = childOf(element, DAV_NS, 'privilege')?.children[0];
    if (!privilege) return;
    const key = clark(privilege.ns, privilege.name);
    this.nodes.set(key, { privilege: { ns: privilege.ns, name: privilege.name }, abstract: childOf(element, DAV_NS, 'abstract') !== undefined, parent });
    for (const child of childrenOf(element, DAV_NS, 'supported-privilege')) this.walk(child, key);
  }
}
