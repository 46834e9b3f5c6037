import { describe, expect, it } from 'vitest';
import { hj212CrcHex } from '../../sources/hj212/crc16.ts';
import { FrameSplitter } from '../../sources/hj212/frame-splitter.ts';
import { interpretFrame } from '../../sources/hj212/hj212-records.ts';
import { acknowledgement, frame, parseFrame, protocolVersion } from '../../sources/hj212/packet.ts';
import { SplitAssembler } from '../../sources/hj212/split-assembler.ts';

// Example packets of HJ 212-2017 material, with their published CRCs (see standards notes).
const examples = {
  standard: '##0101QN=20160801085857223;ST=32;CN=1062;PW=100000;MN=010000A8900016F000169DC0;Flag=5;CP=&&RtdInterval=30&&1C80\r\n',
  water: '##0435QN=20210301111100112;ST=21;CN=2011;PW=123456;MN=ZLDSZ20210127;Flag=8;CP=&&DataTime=20210301111100;w01001-Rtd=8.33,w01001-Flag=N;w01009-Rtd=10.15,w01009-Flag=N;w01010-Rtd=9.7,w01010-Flag=N;w01014-Rtd=1425,w01014-Flag=N;w01003-Rtd=13.10,w01003-Flag=N;w21011-Rtd=0,w21011-Flag=N;w21001-Rtd=3.563168,w21001-Flag=N;w21003-Rtd=0.09055002,w21003-Flag=N;w01019-Rtd=4.102818,w01019-Flag=N;w01008-Rtd=0,w01008-Flag=N;w23002-Rtd=0,w23002-Flag=N&&7d00\r\n',
  air: '##0317QN=20191012133710130;ST=22;CN=2011;PW=123456;MN=Y80110010000010;Flag=4;CP=&&DataTime=20191012133710;a21005-Rtd=0.00,a21005-Flag=N;a21004-Rtd=0.00,a21004-Flag=N;a21007-Rtd=0.033,a21007-Flag=N;a21006-Rtd=0.036,a21006-Flag=N;a21001-Rtd=25.40,a21001-Flag=N;a21003-Rtd=101.94,a21003-Flag=N;a21002-Rtd=49.20,a21002-Flag=N&&cc01\r\n',
  old2005: '##0139ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817000;B01-Rtd=36.91;011-Rtd=231.0,011-Flag=N;060-Rtd=1.803,060-Flag=N&&4980\r\n',
  ack: '##0087QN=20160801085000001;ST=91;CN=9014;PW=123456;MN=010000A8900016F000169DC0;Flag=4;CP=&&&&C241\r\n',
};

const dataOf = (f: string) => f.slice(6, -6);

describe('HJ 212 CRC16', () => {
  it('reproduces the published checksums', () => {
    expect(hj212CrcHex(dataOf(examples.standard))).toBe('1C80');
    expect(hj212CrcHex(dataOf(examples.water))).toBe('7D00');
    expect(hj212CrcHex(dataOf(examples.air))).toBe('CC01');
    expect(hj212CrcHex(dataOf(examples.old2005))).toBe('4980');
    expect(hj212CrcHex(dataOf(examples.ack))).toBe('C241');
  });

  it('rejects a packet whose checksum does not match (a published test packet with a stale CRC)', () => {
    // The ##0136 variant of the HJ/T 212-2005 example keeps the 4980 of the ##0139 one. Its true CRC, 3C00, was
    // recomputed apart from envmon by the standard's appendix algorithm (a separate Python implementation).
    const stale = '##0136ST=32;CN=2011;PW=123456;MN=LD130133000015;CP=&&DataTime=20160824003817;B01-Rtd=36.91;011-Rtd=231.0,011-Flag=N;060-Rtd=1.803,060-Flag=N&&4980\r\n';
    expect(parseFrame(stale)).toEqual({ ok: false, code: 'checksum', reason: 'CRC 4980 does not match the data (expected 3C00)' });
  });
});

describe('HJ 212 packets', () => {
  const stations = (mn: string) => ({ site: `site-${mn}` });

  it('reads a surface-water real-time upload, lower-case CRC and non-standard Flag included', () => {
    const parsed = parseFrame(examples.water);
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(protocolVersion(parsed.packet)).toBe(2);
    const outcome = interpretFrame(examples.water, stations, new SplitAssembler(), 0);
    if (outcome.kind !== 'record') throw new Error(outcome.kind);
    const byParameter = Object.fromEntries(outcome.record.readings.map((r) => [r.parameter, [r.value, r.unit, r.flag]]));
    expect(byParameter).toMatchObject({
      ph: ['8.33', 'pH', 'N'],
      do: ['10.15', 'mg/L', 'N'],
      water_temp: ['9.7', '°C', 'N'],
      conductivity: ['1425', 'μS/cm', 'N'],
      turbidity: ['13.10', 'NTU', 'N'],
      tp: ['0', 'mg/L', 'N'],
      tn: ['3.563168', 'mg/L', 'N'],
      nh3_n: ['0.09055002', 'mg/L', 'N'],
      codmn: ['4.102818', 'mg/L', 'N'],
    });
    // Codes outside the catalogue are passed on as they are and rejected downstream as unknown parameters.
    expect(byParameter.w23002?.[0]).toBe('0');
    // DataTime 2021-03-01 11:11:00 Beijing time; real-time values are instants.
    expect(new Set(outcome.record.readings.map((r) => `${r.period} ${r.observedAt.toISOString()}`))).toEqual(new Set(['minute 2021-03-01T03:11:00.000Z']));
    expect(outcome.record.raw).toContain('PW=***');
    expect(outcome.record.raw).not.toContain('123456');
  });

  it('reads an HJ/T 212-2005 upload without QN and Flag, mapping its old codes', () => {
    const outcome = interpretFrame(examples.old2005, stations, new SplitAssembler(), 0);
    if (outcome.kind !== 'record') throw new Error(outcome.kind);
    expect(outcome.record.readings.map((r) => [r.parameter, r.value])).toEqual([['B01', '36.91'], ['cod', '231.0'], ['nh3_n', '1.803']]);
  });

  it('stores hourly data at the end of its hour, from -Avg, keeping the data flag', () => {
    const hourly = frame('QN=20261122100000000;ST=21;CN=2061;PW=abc123;MN=WL01;Flag=5;CP=&&DataTime=20261122090000;w21003-Min=1.1,w21003-Avg=1.31,w21003-Max=1.6,w21003-Flag=N;w01001-Avg=7.9,w01001-Flag=M&&');
    const outcome = interpretFrame(hourly, stations, new SplitAssembler(), 0);
    if (outcome.kind !== 'record') throw new Error(outcome.kind);
    // 09:00–10:00 Beijing time ends at 02:00 UTC.
    expect(outcome.record.readings.map((r) => [r.parameter, r.period, r.observedAt.toISOString(), r.value, r.flag])).toEqual([
      ['nh3_n', 'hour', '2026-11-22T02:00:00.000Z', '1.31', 'N'],
      ['ph', 'hour', '2026-11-22T02:00:00.000Z', '7.9', 'M'],
    ]);
  });

  it('acknowledges a data upload with CN 9014, echoing QN and MN', () => {
    const parsed = parseFrame(frame('QN=20261122100000123;ST=21;CN=2061;PW=abc123;MN=WL01;Flag=5;CP=&&DataTime=20261122090000;w21003-Avg=1.31&&'));
    if (!parsed.ok) throw new Error(parsed.reason);
    const ack = parseFrame(acknowledgement(parsed.packet));
    if (!ack.ok) throw new Error(ack.reason);
    expect(ack.packet).toMatchObject({ qn: '20261122100000123', st: '91', cn: '9014', mn: 'WL01', flag: 4, cp: [] });
  });

  it('reassembles a split upload from its parts, in any order', () => {
    const part = (pno: number, cp: string) => frame(`QN=20261122100000000;ST=21;CN=2061;PW=abc123;MN=WL01;Flag=7;PNUM=2;PNO=${pno};CP=&&${cp}&&`);
    const assembler = new SplitAssembler();
    const second = interpretFrame(part(2, 'w01001-Avg=7.9'), stations, assembler, 0);
    expect(second.kind).toBe('partial');
    const whole = interpretFrame(part(1, 'DataTime=20261122090000;w21003-Avg=1.31'), stations, assembler, 1);
    if (whole.kind !== 'record') throw new Error(whole.kind);
    expect(whole.record.readings.map((r) => r.parameter)).toEqual(['nh3_n', 'ph']);
  });

  it('treats packets without data (heartbeats, commands) as control traffic', () => {
    expect(interpretFrame(examples.standard, stations, new SplitAssembler(), 0).kind).toBe('control');
  });
});

describe('FrameSplitter', () => {
  it('finds frames among garbage and across chunk boundaries', () => {
    const splitter = new FrameSplitter();
    const stream = Buffer.from(`noise\r\n${examples.air}${examples.water}tail`);
    const events = [...splitter.push(stream.subarray(0, 50)), ...splitter.push(stream.subarray(50, 400)), ...splitter.push(stream.subarray(400))];
    expect(events.filter((e) => e.kind === 'frame').map((e) => (e.kind === 'frame' ? e.text : ''))).toEqual([examples.air, examples.water]);
    expect(events.filter((e) => e.kind === 'garbage').reduce((n, e) => n + (e.kind === 'garbage' ? e.bytes : 0), 0)).toBe('noise\r\n'.length + 'tail'.length);
  });

  it('refuses frames longer than allowed without waiting for them', () => {
    const splitter = new FrameSplitter(1024);
    const events = splitter.push(Buffer.from(`##9999QN=1;${'x'.repeat(100)}`));
    expect(events[0]).toMatchObject({ kind: 'malformed', reason: 'data segment of 9999 exceeds the limit of 1024' });
    expect(splitter.pending).toBeLessThan(200);
  });
});
