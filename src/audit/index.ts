export {
  appendAudit,
  audited,
  auditPath,
  parseSince,
  readAudit,
  type AuditEntry,
  type AuditNote,
  type AuditRecord,
  type AuditResult,
} from './audit-log.js';
