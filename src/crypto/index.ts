export { createEncryptStream, type EncryptOptions } from './encrypt-stream.js';
export { createDecryptStream, type DecryptOptions } from './decrypt-stream.js';
export { generateIdentity, parseIdentities, parseRecipient, readIdentityFile, recipientOf } from './keys.js';
export { decryptBuffer, encryptBuffer } from './buffers.js';
