/**
 * Physically plausible ranges, in each parameter's canonical unit. A value outside is an instrument or transfer
 * fault, not an exceedance: it is quarantined, never evaluated.
 */
export const plausibleRanges: Readonly<Record<string, { min: number; max: number }>> = {
  // Air, μg/m³ (CO mg/m³). Upper bounds sit well above the highest values recorded in China's network.
  pm2_5: { min: 0, max: 2000 },
  pm10: { min: 0, max: 5000 },
  so2: { min: 0, max: 10000 },
  no2: { min: 0, max: 5000 },
  nox: { min: 0, max: 10000 },
  co: { min: 0, max: 200 },
  o3: { min: 0, max: 2000 },
  tsp: { min: 0, max: 10000 },
  // Water, mg/L unless stated.
  ph: { min: 0, max: 14 },
  // Saturation is 14.6 mg/L at 0 °C; algal blooms can push a river to about twice saturation, not beyond.
  do: { min: 0, max: 30 },
  water_temp: { min: -2, max: 45 },
  codmn: { min: 0, max: 500 },
  cod: { min: 0, max: 5000 },
  bod5: { min: 0, max: 2000 },
  nh3_n: { min: 0, max: 500 },
  tp: { min: 0, max: 100 },
  tn: { min: 0, max: 500 },
  conductivity: { min: 0, max: 100000 },
  turbidity: { min: 0, max: 10000 },
};

/** Values that data loggers write for "no data"; they are never measurements. */
export const sentinelValues: ReadonlySet<string> = new Set(['-9999', '-999', '-99', '9999', '99999', '-9999.9']);
