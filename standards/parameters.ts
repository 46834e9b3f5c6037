/**
 * The parameter catalogue: every quantity envmon stores, with its HJ 212-2017 pollutant code, its names and the
 * canonical unit that stored values use. HJ 212 codes follow the 2017 appendix (air `a…`, water `w…`);
 * `a05024` (O3) and `w01003` (turbidity) are practice codes used by station software but absent from the
 * appendix transcriptions.
 */

export type Medium = 'air' | 'water';

export interface ParameterDefinition {
  /** Stable code used in configuration, mappings and the CLI. */
  readonly code: string;
  readonly hj212Code: string | null;
  readonly nameZh: string;
  readonly nameEn: string;
  /** Unit every stored value of this parameter is in. */
  readonly unit: string;
  readonly medium: Medium;
}

export const parameterCatalogue: readonly ParameterDefinition[] = [
  // GB 3095 basic items. Gases at 298.15 K / 1013.25 hPa (2018 amendment), CO in mg/m³, others μg/m³.
  { code: 'pm2_5', hj212Code: 'a34004', nameZh: '细颗粒物(PM2.5)', nameEn: 'PM2.5', unit: 'μg/m³', medium: 'air' },
  { code: 'pm10', hj212Code: 'a34002', nameZh: '可吸入颗粒物(PM10)', nameEn: 'PM10', unit: 'μg/m³', medium: 'air' },
  { code: 'so2', hj212Code: 'a21026', nameZh: '二氧化硫', nameEn: 'Sulfur dioxide', unit: 'μg/m³', medium: 'air' },
  { code: 'no2', hj212Code: 'a21004', nameZh: '二氧化氮', nameEn: 'Nitrogen dioxide', unit: 'μg/m³', medium: 'air' },
  { code: 'co', hj212Code: 'a21005', nameZh: '一氧化碳', nameEn: 'Carbon monoxide', unit: 'mg/m³', medium: 'air' },
  { code: 'o3', hj212Code: 'a05024', nameZh: '臭氧', nameEn: 'Ozone', unit: 'μg/m³', medium: 'air' },
  { code: 'nox', hj212Code: 'a21002', nameZh: '氮氧化物', nameEn: 'Nitrogen oxides', unit: 'μg/m³', medium: 'air' },
  { code: 'tsp', hj212Code: 'a34001', nameZh: '总悬浮颗粒物', nameEn: 'Total suspended particulates', unit: 'μg/m³', medium: 'air' },
  { code: 'air_temp', hj212Code: 'a01001', nameZh: '气温', nameEn: 'Air temperature', unit: '°C', medium: 'air' },
  { code: 'humidity', hj212Code: 'a01002', nameZh: '湿度', nameEn: 'Relative humidity', unit: '%', medium: 'air' },
  { code: 'pressure', hj212Code: 'a01006', nameZh: '气压', nameEn: 'Air pressure', unit: 'kPa', medium: 'air' },
  { code: 'wind_speed', hj212Code: 'a01007', nameZh: '风速', nameEn: 'Wind speed', unit: 'm/s', medium: 'air' },
  { code: 'wind_dir', hj212Code: 'a01008', nameZh: '风向', nameEn: 'Wind direction', unit: '°', medium: 'air' },
  // GB 3838-2002 Table 1 items measured by surface-water automatic stations ("9+X"), all mg/L unless noted.
  { code: 'water_temp', hj212Code: 'w01010', nameZh: '水温', nameEn: 'Water temperature', unit: '°C', medium: 'water' },
  { code: 'ph', hj212Code: 'w01001', nameZh: 'pH值', nameEn: 'pH', unit: 'pH', medium: 'water' },
  { code: 'do', hj212Code: 'w01009', nameZh: '溶解氧', nameEn: 'Dissolved oxygen', unit: 'mg/L', medium: 'water' },
  { code: 'conductivity', hj212Code: 'w01014', nameZh: '电导率', nameEn: 'Conductivity', unit: 'μS/cm', medium: 'water' },
  { code: 'turbidity', hj212Code: 'w01003', nameZh: '浊度', nameEn: 'Turbidity', unit: 'NTU', medium: 'water' },
  { code: 'codmn', hj212Code: 'w01019', nameZh: '高锰酸盐指数', nameEn: 'Permanganate index', unit: 'mg/L', medium: 'water' },
  { code: 'cod', hj212Code: 'w01018', nameZh: '化学需氧量', nameEn: 'Chemical oxygen demand', unit: 'mg/L', medium: 'water' },
  { code: 'bod5', hj212Code: 'w01017', nameZh: '五日生化需氧量', nameEn: 'Five-day biochemical oxygen demand', unit: 'mg/L', medium: 'water' },
  { code: 'nh3_n', hj212Code: 'w21003', nameZh: '氨氮', nameEn: 'Ammonia nitrogen', unit: 'mg/L', medium: 'water' },
  { code: 'tp', hj212Code: 'w21011', nameZh: '总磷', nameEn: 'Total phosphorus', unit: 'mg/L', medium: 'water' },
  { code: 'tn', hj212Code: 'w21001', nameZh: '总氮', nameEn: 'Total nitrogen', unit: 'mg/L', medium: 'water' },
];

const byCode = new Map(parameterCatalogue.map((p) => [p.code, p]));

export function findParameter(code: string): ParameterDefinition | undefined {
  return byCode.get(code);
}

/**
 * HJ 212 pollutant codes → parameter codes: the 2017 codes of the catalogue plus the HJ/T 212-2005 short codes
 * still sent by older data loggers (the "原编码" column of the 2017 appendix).
 */
export const hj212Codes: ReadonlyMap<string, string> = new Map([
  ...parameterCatalogue.filter((p) => p.hj212Code !== null).map((p) => [p.hj212Code as string, p.code] as const),
  ['02', 'so2'],
  ['03', 'nox'],
  ['04', 'co'],
  ['001', 'ph'],
  ['010', 'bod5'],
  ['011', 'cod'],
  ['060', 'nh3_n'],
  ['065', 'tn'],
  ['101', 'tp'],
]);
