export { notify, type Delivery, type NotifyOptions } from './notify.js';
export { renderMessage, type NotifyEvent, type Severity } from './event.js';
export type { ChannelName } from './channels.js';
export { reportedOperation, type ReportedOperation } from './reported-operation.js';
