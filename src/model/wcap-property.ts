/** A calendar-level X-token (name, raw value, parameters), shared by mapping/ and wcap/. */
export interface WcapPropertyData {
  name: string;
  value: string;
  params?: Record<string, string>;
}
