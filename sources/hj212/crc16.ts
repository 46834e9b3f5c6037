/**
 * The HJ 212 CRC16 (HJ 212-2017 Appendix A): register 0xFFFF; per byte, shift the register right by 8 and XOR
 * the byte in, then 8 rounds of shift-right with XOR 0xA001 when the shifted-out bit was 1. Not Modbus CRC16,
 * which XORs the byte without the initial shift. Computed over the data segment's bytes only.
 */
export function hj212Crc16(dataSegment: string | Buffer): number {
  const bytes = typeof dataSegment === 'string' ? Buffer.from(dataSegment, 'utf8') : dataSegment;
  let reg = 0xffff;
  for (const byte of bytes) {
    reg = (reg >> 8) ^ byte;
    for (let i = 0; i < 8; i++) {
      const lsb = reg & 1;
      reg >>= 1;
      if (lsb) reg ^= 0xa001;
    }
  }
  return reg;
}

/** Four upper-case hex digits, as the standard prints them (devices often send lower case; compare ignoring case). */
export function hj212CrcHex(dataSegment: string | Buffer): string {
  return hj212Crc16(dataSegment).toString(16).toUpperCase().padStart(4, '0');
}
