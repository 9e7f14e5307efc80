import { describe, expect, it } from 'vitest';
import {
  delayImpairment,
  effectiveEquipmentImpairment,
  estimateG711Quality,
  mosFromRFactor,
} from './e-model.ts';

describe('E-model (ITU-T G.107, simplified)', () => {
  it('gives the G.711 ceiling of R 93.2, MOS 4.41, on a clean short path', () => {
    const estimate = estimateG711Quality({ lossPercent: 0, jitterMs: 0, oneWayDelayMs: 20 });
    expect(estimate.rFactor).toBeCloseTo(93.2, 5);
    expect(estimate.mos).toBeCloseTo(4.41, 2);
  });

  it('maps R to MOS per G.107 Annex B, clamped at both ends', () => {
    expect(mosFromRFactor(0)).toBe(1);
    expect(mosFromRFactor(100)).toBe(4.5);
    expect(mosFromRFactor(50)).toBeCloseTo(2.58, 2);
    expect(mosFromRFactor(80)).toBeCloseTo(4.02, 2);
  });

  it('adds no delay impairment up to 100 ms and a growing one beyond', () => {
    expect(delayImpairment(100)).toBe(0);
    expect(delayImpairment(150)).toBeGreaterThan(0);
    expect(delayImpairment(400)).toBeGreaterThan(delayImpairment(200));
    // G.107 gives Idd about 23 at 400 ms with no echo terms.
    expect(delayImpairment(400)).toBeGreaterThan(20);
    expect(delayImpairment(400)).toBeLessThan(26);
  });

  it('uses the G.113 Bpl for G.711: concealment makes loss hurt much less', () => {
    expect(effectiveEquipmentImpairment(0, 4.3, 0)).toBe(0);
    const plain = estimateG711Quality({ lossPercent: 2, jitterMs: 0, oneWayDelayMs: 20 });
    const concealed = estimateG711Quality({
      lossPercent: 2,
      jitterMs: 0,
      oneWayDelayMs: 20,
      hasConcealment: true,
    });
    expect(plain.mos).toBeLessThan(concealed.mos);
    // Ie,eff = 95 * 2 / (2 + 25.1) = 7.0 with concealment.
    expect(concealed.rFactor).toBeCloseTo(93.2 - (95 * 2) / 27.1, 5);
  });

  it('degrades monotonically with loss, jitter and delay', () => {
    const base = { lossPercent: 1, jitterMs: 10, oneWayDelayMs: 80 };
    const mos = estimateG711Quality(base).mos;
    expect(estimateG711Quality({ ...base, lossPercent: 5 }).mos).toBeLessThan(mos);
    expect(estimateG711Quality({ ...base, jitterMs: 60 }).mos).toBeLessThan(mos);
    expect(estimateG711Quality({ ...base, oneWayDelayMs: 300 }).mos).toBeLessThan(mos);
    expect(estimateG711Quality({ lossPercent: 100, jitterMs: 0, oneWayDelayMs: 0 }).mos).toBeLessThan(1.5);
  });
});
