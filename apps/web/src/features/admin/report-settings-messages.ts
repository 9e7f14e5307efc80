/** Messages of the tenant's report settings (first-contact resolution, docs/metrics.md). */
export const reportSettingsMessagesEs = {
  'reportSettings.title': 'Informes: resolución en el primer contacto',
  'reportSettings.fcrWindowDays': 'Días en los que volver a contactar cuenta como repetición',
  'reportSettings.fcrSameMatter': 'Qué cuenta como el mismo asunto',
  'reportSettings.fcrSameMatter.any-contact': 'Cualquier contacto posterior del cliente',
  'reportSettings.fcrSameMatter.same-queue': 'Solo un contacto a la misma cola',
  'reportSettings.appliesFromNow':
    'Cada contacto es de la primera cola en la que entró. Los cambios se aplican a los contactos que se cuenten a partir de ahora; los ya juzgados conservan su resultado.',
};

export const reportSettingsMessagesEn: Record<keyof typeof reportSettingsMessagesEs, string> = {
  'reportSettings.title': 'Reports: first-contact resolution',
  'reportSettings.fcrWindowDays': 'Days within which contacting again counts as a repeat',
  'reportSettings.fcrSameMatter': 'What counts as the same matter',
  'reportSettings.fcrSameMatter.any-contact': 'Any later contact of the customer',
  'reportSettings.fcrSameMatter.same-queue': 'Only a contact to the same queue',
  'reportSettings.appliesFromNow':
    'Each contact is about the first queue it entered. Changes apply to contacts counted from now on; contacts already judged keep their result.',
};
