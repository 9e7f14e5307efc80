import { describe, expect, it } from 'vitest';
import { normalizeChannelAddress } from './channel-address.ts';

describe('normalizeChannelAddress', () => {
  it('normalises each kind so that two spellings match', () => {
    expect(normalizeChannelAddress('email', '  Ana.Garcia@Example.ES ', 'ES')).toEqual({
      ok: true,
      value: 'ana.garcia@example.es',
    });
    expect(normalizeChannelAddress('whatsapp', '600 123 456', 'ES')).toEqual({
      ok: true,
      value: '+34600123456',
    });
    expect(normalizeChannelAddress('chat', ' web-7f3a ', 'ES')).toEqual({ ok: true, value: 'web-7f3a' });
  });

  it('says which field is wrong', () => {
    const result = normalizeChannelAddress('email', 'ana@', 'ES', 'identities[1].address');
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error).toMatchObject({ code: 'CRM_EMAIL_INVALID', field: 'identities[1].address' });
  });
});
