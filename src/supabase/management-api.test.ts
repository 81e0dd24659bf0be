import { describe, expect, it } from 'vitest';
import { assertProjectRef, retryAfterMs, SupabaseManagementApi } from './management-api.js';

describe('Supabase Management API client', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    const now = Date.parse('Sun, 10 Jan 2025 14:00:00 GMT');
    expect(retryAfterMs('Sun, 10 Jan 2025 14:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('needs SUPABASE_ACCESS_TOKEN and a 20-letter project ref', () => {
    expect(() => SupabaseManagementApi.fromEnv({})).toThrow(/SUPABASE_ACCESS_TOKEN is not set/);
    expect(() => assertProjectRef('my-project')).toThrow(/not a Supabase project ref/);
    expect(
      SupabaseManagementApi.fromEnv({ SUPABASE_ACCESS_TOKEN: 'sbp_abcdef', SUPABASE_API_URL: 'http://127.0.0.1:1/' })
        .baseUrl,
    ).toBe('http://127.0.0.1:1');
  });
});
