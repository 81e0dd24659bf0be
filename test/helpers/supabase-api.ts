export * from '../../src/sandbox/supabase-api-stand-in.js';
