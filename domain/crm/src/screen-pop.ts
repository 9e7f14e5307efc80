/** What an agent sees while the phone rings: who is calling, what happened before, what is pending. */
export interface ScreenPop {
  readonly isNewCustomer: boolean;
  readonly customer: ScreenPopCustomer;
  readonly recentInteractions: readonly ScreenPopInteraction[];
  readonly openTickets: readonly ScreenPopTicket[];
}

export interface ScreenPopCustomer {
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly company: string;
  readonly language: string;
  readonly tags: readonly string[];
  readonly isVip: boolean;
  readonly isVerified: boolean;
  readonly identities: readonly { readonly kind: string; readonly address: string; readonly label: string }[];
}

export interface ScreenPopInteraction {
  readonly id: string;
  readonly channel: string;
  readonly direction: string;
  readonly status: string;
  readonly startedAt: string;
  readonly queueName: string | null;
  readonly agentName: string | null;
  readonly disposition: string | null;
  readonly subject: string;
}

export interface ScreenPopTicket {
  readonly id: string;
  readonly number: number;
  readonly subject: string;
  readonly status: string;
  readonly priority: string;
  readonly dueAt: string | null;
}
