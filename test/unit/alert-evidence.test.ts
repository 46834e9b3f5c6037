import { describe, expect, it } from 'vitest';
import { evidenceRows } from '../../web/pages/alert-evidence.ts';

// A stored threshold alert's evidence, as evaluate/apply-observations.ts writes it (late data, measured: origin null).
const evidence = {
  kind: 'threshold',
  late: true,
  rule: 'air-pm25-24h-grade2',
  site: 'Dongsi',
  time: '2016-01-02T10:00:00.000Z',
  limit: '75',
  value: '242',
  origin: null,
  window: '24h',
  breaches: 24,
  direction: '>',
  parameter: 'pm2_5',
  validCount: 24,
  somethingNew: 'kept',
};

describe('an alert’s evidence on its page', () => {
  it('reads in Chinese: names, Beijing time, 是/否, units, no empty values, unknown keys kept by their stored name', () => {
    const rows = Object.fromEntries(evidenceRows(evidence, 'zh').map((r) => [r.label, r.value]));
    expect(rows).toEqual({
      类型: '超限',
      规则: 'air-pm25-24h-grade2',
      站点编码: 'Dongsi',
      监测项目: '细颗粒物(PM2.5) (pm2_5)',
      数值: '242 μg/m³',
      判定方向: '高于限值为超标',
      限值: '75 μg/m³',
      统计窗口: '24 小时',
      有效数据个数: '24',
      // 10:00 UTC is 18:00 in Beijing (UTC+8).
      数据时间: '2016-01-02 18:00',
      连续超限次数: '24',
      迟到数据: '是',
      somethingNew: 'kept',
    });
    expect(evidenceRows(evidence, 'zh').find((r) => r.label === 'somethingNew')?.code).toBe(true);
  });

  it('reads in English with ?lang=en', () => {
    const rows = Object.fromEntries(evidenceRows(evidence, 'en').map((r) => [r.label, r.value]));
    expect(rows['Data time']).toBe('2016-01-02 18:00');
    expect(rows['Late data']).toBe('yes');
    expect(rows.Window).toBe('24 h');
    expect(rows.Limit).toBe('75 μg/m³');
    expect(Object.keys(rows)).not.toContain('Data');
  });
});
