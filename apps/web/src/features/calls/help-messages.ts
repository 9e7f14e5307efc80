/** Messages of "ask for help" (call panel and wallboard) and of the transfer to an IVR flow. */
export const helpMessagesEs = {
  'help.ask': 'Pedir ayuda',
  'help.note': 'Nota para el supervisor (opcional)',
  'help.notePlaceholder': 'qué necesita',
  'help.pending': 'Ayuda pedida: esperando a un supervisor',
  'help.withdraw': 'Retirar la petición',
  'help.attendedBy': 'Atendida por {name}',
  'help.marker': 'Pide ayuda',
  'help.since': 'hace {time}',
  'help.attended': 'Atendida',
  'help.attendedFor': 'Marcar atendida la petición de ayuda de {name}',
  'calls.transferToFlow': 'A un menú (IVR)',
  'calls.chooseFlow': 'elija un menú',
  'calls.transferFlow': 'Transferir al menú',
} as const;

export const helpMessagesEn: Record<keyof typeof helpMessagesEs, string> = {
  'help.ask': 'Ask for help',
  'help.note': 'Note for the supervisor (optional)',
  'help.notePlaceholder': 'what you need',
  'help.pending': 'Help requested: waiting for a supervisor',
  'help.withdraw': 'Withdraw the request',
  'help.attendedBy': 'Attended by {name}',
  'help.marker': 'Asks for help',
  'help.since': '{time} ago',
  'help.attended': 'Attended',
  'help.attendedFor': 'Mark {name}’s request for help attended',
  'calls.transferToFlow': 'To a menu (IVR)',
  'calls.chooseFlow': 'choose a menu',
  'calls.transferFlow': 'Transfer to the menu',
};
