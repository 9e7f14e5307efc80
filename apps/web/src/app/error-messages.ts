/**
 * Messages of the error codes the web can receive (docs/errors.md), keyed `problem.<CODE>`: what went wrong and
 * what to do next. The problem's `code` is always an HTTP edge or store code; a refused flow also lists an IVR
 * save-time code on each of its `errors`. error-messages.test.ts keeps this list in step with docs/errors.md.
 */
export const errorMessagesEs = {
  'problem.HTTP_VALIDATION_FAILED':
    'Hay un dato que no es válido. Corrija el campo indicado y vuelva a intentarlo.',
  'problem.HTTP_MALFORMED_JSON':
    'El servidor no ha entendido la petición. Recargue la página y vuelva a intentarlo; si se repite, avise al administrador.',
  'problem.HTTP_UNSUPPORTED_MEDIA_TYPE':
    'El servidor no acepta el formato de la petición. Recargue la página y vuelva a intentarlo; si se repite, avise al administrador.',
  'problem.HTTP_BODY_TOO_LARGE':
    'Lo que intenta enviar es demasiado grande (más de 1 MiB). Acórtelo y vuelva a intentarlo.',
  'problem.HTTP_NOT_FOUND':
    'El servidor no conoce esta operación. Recargue la página; si se repite, avise al administrador (puede que el servidor tenga otra versión).',
  'problem.HTTP_METHOD_NOT_ALLOWED':
    'El servidor no admite esta operación aquí. Recargue la página; si se repite, avise al administrador.',
  'problem.HTTP_UNAUTHENTICATED': 'Su sesión ha terminado. Inicie sesión de nuevo.',
  'problem.HTTP_FORBIDDEN':
    'Su rol no permite hacer esto. Si lo necesita, pida a un administrador un rol que lo permita.',
  'problem.HTTP_CSRF_FAILED': 'La sesión ha cambiado. Recargue la página y vuelva a intentarlo.',
  'problem.HTTP_LOGIN_FAILED':
    'El tenant, el correo electrónico o la contraseña no son correctos. Compruebe los tres; si ha olvidado la contraseña, un administrador puede restablecerla.',
  'problem.HTTP_LOGIN_THROTTLED':
    'Demasiados intentos fallidos. Espere {seconds} s y vuelva a intentarlo, o pida a un administrador que restablezca la contraseña.',
  'problem.HTTP_ROUTING_UNAVAILABLE':
    'El reparto de llamadas no está en marcha en este servidor: no se puede cambiar la presencia ni ver el panel en directo. Avise al administrador.',
  'problem.HTTP_CALLS_UNAVAILABLE':
    'La telefonía no está en marcha en este servidor, así que no se pueden hacer ni controlar llamadas. Avise al administrador; el registro del servidor indica la causa.',
  'problem.HTTP_INTERNAL':
    'Error inesperado en el servidor; no se ha guardado nada. Vuelva a intentarlo; si se repite, avise al administrador indicando la hora.',
  'problem.STORE_NOT_FOUND':
    'No existe o ya no está disponible (puede que se haya borrado o que la llamada ya haya terminado). Recargue la página para ver los datos actuales.',
  'problem.STORE_CONFLICT': 'Ese valor ya está en uso. Elija otro o edite el registro que ya lo tiene.',
  'problem.STORE_REFERENCE_NOT_FOUND':
    'Un dato remite a algo que no existe (un cliente, un usuario, una cola o una habilidad). Corrija el campo indicado.',
  'problem.STORE_CONSTRAINT_VIOLATED':
    'Un valor no cumple las reglas (es demasiado largo o está fuera de rango). Corrija el campo indicado.',
  'problem.STORE_INVALID_STATE':
    'No se puede hacer en el estado actual (por ejemplo, la llamada ya ha terminado o la incidencia está cerrada). Recargue la página para ver el estado actual y, si hace falta, haga antes el paso previo.',
  'problem.STORE_INVALID_INPUT':
    'Un valor no es válido. Corrija el campo indicado; escriba los teléfonos con el prefijo del país, p. ej. +34 912 345 678.',

  'problem.IVR_FLOW_SCHEMA':
    'El flujo no tiene el formato esperado (falta un campo, un tipo no es el correcto o hay una errata). Corríjalo en la ruta indicada.',
  'problem.IVR_ENTRY_NODE_MISSING':
    'El nodo de entrada del flujo no existe. Indique como entrada un nodo que exista.',
  'problem.IVR_DANGLING_REFERENCE': 'Un nodo apunta a otro que no existe. Cree ese nodo o cambie el destino.',
  'problem.IVR_UNREACHABLE_NODE':
    'A este nodo no se llega nunca desde el nodo de entrada. Enlácelo desde otro nodo o elimínelo.',
  'problem.IVR_MENU_WITHOUT_OPTIONS': 'El menú no ofrece ninguna opción. Añada al menos una.',
  'problem.IVR_PROMPT_MISSING_LANGUAGE':
    'A un mensaje le falta el texto o el audio en uno de los idiomas del flujo. Añádalo.',
  'problem.IVR_LANGUAGE_NOT_DECLARED':
    'Se usa un idioma que el flujo no declara. Añádalo a los idiomas del flujo o use uno declarado.',
  'problem.IVR_UNKNOWN_QUEUE':
    'El nodo nombra una cola que no existe. Elija una cola existente o créela antes de publicar el flujo.',
  'problem.IVR_UNKNOWN_FLOW':
    'El nodo nombra un flujo que no existe. Elija un flujo existente o créelo antes de publicar este.',
  'problem.IVR_UNKNOWN_SCHEDULE':
    'La condición nombra un horario que el flujo no define. Defínalo en el flujo o elija otro.',
  'problem.IVR_UNKNOWN_HOLIDAY_CALENDAR':
    'La condición nombra un calendario de festivos que el flujo no define. Defínalo en el flujo o elija otro.',
  'problem.IVR_LOOP_WITHOUT_INPUT':
    'Estos nodos forman un bucle que no pide nada a quien llama ni le pone en cola: la llamada no acabaría nunca. Añada una pregunta, una cola o una salida.',
  'problem.IVR_SUBFLOW_RECURSION':
    'El subflujo acaba llamando, directamente o a través de otros flujos, al flujo desde el que se llama. Rompa ese ciclo.',
} as const;

/** English messages of the error codes the web can receive. */
export const errorMessagesEn: Record<keyof typeof errorMessagesEs, string> = {
  'problem.HTTP_VALIDATION_FAILED': 'A value is not valid. Correct the field shown and try again.',
  'problem.HTTP_MALFORMED_JSON':
    'The server could not read the request. Reload the page and try again; if it happens again, tell your administrator.',
  'problem.HTTP_UNSUPPORTED_MEDIA_TYPE':
    'The server does not accept the format of the request. Reload the page and try again; if it happens again, tell your administrator.',
  'problem.HTTP_BODY_TOO_LARGE': 'What you are sending is too large (over 1 MiB). Shorten it and try again.',
  'problem.HTTP_NOT_FOUND':
    'The server does not know this operation. Reload the page; if it happens again, tell your administrator (the server may run another version).',
  'problem.HTTP_METHOD_NOT_ALLOWED':
    'The server does not allow this operation here. Reload the page; if it happens again, tell your administrator.',
  'problem.HTTP_UNAUTHENTICATED': 'Your session has ended. Please sign in again.',
  'problem.HTTP_FORBIDDEN':
    'Your role may not do this. If you need to, ask an administrator for a role that may.',
  'problem.HTTP_CSRF_FAILED': 'The session has changed. Reload the page and try again.',
  'problem.HTTP_LOGIN_FAILED':
    'The tenant, e-mail address or password is not right. Check all three; if you have forgotten the password, an administrator can reset it.',
  'problem.HTTP_LOGIN_THROTTLED':
    'Too many failed attempts. Wait {seconds} s and try again, or ask an administrator to reset the password.',
  'problem.HTTP_ROUTING_UNAVAILABLE':
    'Call routing is not running on this server: presence cannot change and the wallboard cannot show live figures. Tell your administrator.',
  'problem.HTTP_CALLS_UNAVAILABLE':
    'Telephony is not running on this server, so calls cannot be made or controlled. Tell your administrator; the server log says why.',
  'problem.HTTP_INTERNAL':
    'Unexpected error on the server; nothing was saved. Try again; if it happens again, tell your administrator the time it happened.',
  'problem.STORE_NOT_FOUND':
    'It does not exist or is no longer available (it may have been deleted, or the call has already ended). Reload the page to see the current data.',
  'problem.STORE_CONFLICT': 'That value is already in use. Choose another, or edit the record that has it.',
  'problem.STORE_REFERENCE_NOT_FOUND':
    'A value refers to something that does not exist (a customer, user, queue or skill). Correct the field shown.',
  'problem.STORE_CONSTRAINT_VIOLATED':
    'A value breaks a rule (it is too long or out of range). Correct the field shown.',
  'problem.STORE_INVALID_STATE':
    'This cannot be done in the current state (for example, the call has already ended or the ticket is closed). Reload the page to see the current state and, if needed, do the earlier step first.',
  'problem.STORE_INVALID_INPUT':
    'A value is not valid. Correct the field shown; write phone numbers with the country code, e.g. +34 912 345 678.',

  'problem.IVR_FLOW_SCHEMA':
    'The flow does not have the expected format (a missing field, a wrong type or a typo). Correct it at the path shown.',
  'problem.IVR_ENTRY_NODE_MISSING':
    'The flow’s entry node does not exist. Name a node that exists as the entry.',
  'problem.IVR_DANGLING_REFERENCE':
    'A node points to a node that does not exist. Create that node or change the target.',
  'problem.IVR_UNREACHABLE_NODE':
    'This node can never be reached from the entry node. Link it from another node or delete it.',
  'problem.IVR_MENU_WITHOUT_OPTIONS': 'The menu offers no option. Add at least one.',
  'problem.IVR_PROMPT_MISSING_LANGUAGE':
    'A prompt has no text or audio for one of the flow’s languages. Add it.',
  'problem.IVR_LANGUAGE_NOT_DECLARED':
    'A language is used that the flow does not declare. Add it to the flow’s languages or use a declared one.',
  'problem.IVR_UNKNOWN_QUEUE':
    'The node names a queue that does not exist. Choose an existing queue, or create it before publishing the flow.',
  'problem.IVR_UNKNOWN_FLOW':
    'The node names a flow that does not exist. Choose an existing flow, or create it before publishing this one.',
  'problem.IVR_UNKNOWN_SCHEDULE':
    'The condition names a schedule the flow does not define. Define it in the flow or choose another.',
  'problem.IVR_UNKNOWN_HOLIDAY_CALENDAR':
    'The condition names a holiday calendar the flow does not define. Define it in the flow or choose another.',
  'problem.IVR_LOOP_WITHOUT_INPUT':
    'These nodes form a loop that never asks the caller for input nor queues them: the call would never end. Add a question, a queue or an exit.',
  'problem.IVR_SUBFLOW_RECURSION':
    'The subflow ends up calling, directly or through other flows, the flow it is called from. Break that cycle.',
};

/** The catalog key of an error code's message, or undefined for a code without one. */
export function errorMessageKey(code: string): keyof typeof errorMessagesEs | undefined {
  const key = `problem.${code}`;
  return Object.hasOwn(errorMessagesEs, key) ? (key as keyof typeof errorMessagesEs) : undefined;
}
