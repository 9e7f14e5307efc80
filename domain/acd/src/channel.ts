/** Every channel the engine routes; capacity and queues are declared per channel. */
export const channels = ['voice', 'chat', 'email', 'sms'] as const;

/** A media channel: a call (inbound, callback or dialer), a chat, an email or an SMS thread. */
export type Channel = (typeof channels)[number];
