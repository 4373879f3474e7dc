/** Sends a text message. A country plugs in its gateway behind this interface. */
export interface SmsSender {
  send(message: { to: string; body: string }): Promise<void>;
}

export class SmsDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SmsDeliveryError';
  }
}

/**
 * A gateway that takes JSON over HTTPS: `POST <url>` with a bearer token and
 * `{ "from", "to", "text" }`, answering 2xx. Most Indian bulk-SMS gateways offer this shape;
 * one that differs gets its own adapter beside this one.
 */
export class HttpSmsSender implements SmsSender {
  constructor(
    private readonly options: {
      gatewayUrl: string;
      gatewayToken: string;
      senderId: string;
      countryCallingCode?: string;
      timeoutMs?: number;
    },
  ) {}

  async send(message: { to: string; body: string }): Promise<void> {
    const response = await fetch(this.options.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.gatewayToken}` },
      body: JSON.stringify({
        from: this.options.senderId,
        to: `+${this.options.countryCallingCode ?? '91'}${message.to}`,
        text: message.body,
      }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    }).catch((error: unknown) => {
      throw new SmsDeliveryError(`SMS gateway unreachable: ${error instanceof Error ? error.message : String(error)}`);
    });
    if (!response.ok) throw new SmsDeliveryError(`SMS gateway answered ${response.status}`);
  }
}
