/** Kysely's view of the database: one interface per table, combined into `Database`. */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
/** `numeric` columns arrive as exact decimal strings. */
type Numeric = ColumnType<string, string, string>;
type Json<T = unknown> = ColumnType<T, string, string>;

export interface SiteTable {
  id: Generated<number>;
  code: string;
  name_zh: string;
  name_en: string;
  kind: string;
  area: string;
  water_body: string | null;
  longitude: number | null;
  latitude: number | null;
  time_zone: ColumnType<string, string | undefined, string>;
  note: string | null;
  origin: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ParameterTable {
  id: Generated<number>;
  code: string;
  hj212_code: string | null;
  name_zh: string;
  name_en: string;
  unit: string;
  medium: string;
}

export interface SourceTable {
  id: string;
  kind: string;
  name: string;
  /** As configured. */
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  /** Set by `envmon sources enable|disable`; null follows `enabled`. */
  operator_enabled: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  schedule: string;
  settings: Json<Record<string, unknown>>;
  cursor: Timestamp | null;
  last_run_at: Timestamp | null;
  last_success_at: Timestamp | null;
  last_error_at: Timestamp | null;
  last_error: string | null;
  consecutive_failures: ColumnType<number, number | undefined, number>;
  last_run_rows: number | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ReadingTable {
  site_id: number;
  parameter_id: number;
  period: string;
  observed_at: Timestamp;
  value: Numeric;
  unit: string;
  flag: ColumnType<string, string | undefined, string>;
  source_id: string | null;
  ingested_at: CreatedAt;
  revision: ColumnType<number, number | undefined, number>;
  /** Derived by envmon from the station's minute data (see migration 20261202T0300); false when reported. */
  derived: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface ReadingRevisionTable {
  id: Generated<number>;
  site_id: number;
  parameter_id: number;
  period: string;
  observed_at: Timestamp;
  previous_value: Numeric;
  previous_flag: string;
  previous_source_id: string | null;
  previous_ingested_at: Timestamp;
  revised_at: CreatedAt;
}

export interface QuarantineTable {
  id: Generated<number>;
  source_id: string | null;
  received_at: CreatedAt;
  code: ColumnType<string, string | undefined, string>;
  reason: string;
  detail: Json<Record<string, unknown>>;
  raw: string;
  /** The exact input bytes when `raw` shows them escaped (NUL, control characters, bytes that are not UTF-8). */
  raw_bytes: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  status: ColumnType<'pending' | 'replayed' | 'discarded', 'pending' | 'replayed' | 'discarded' | undefined, 'pending' | 'replayed' | 'discarded'>;
  resolved_at: Timestamp | null;
  resolution: string | null;
}

export interface PlanTargetTable {
  id: string;
  document: string;
  clause: string | null;
  nature: string | null;
  site_id: number | null;
  area: string | null;
  indicator: string;
  baseline_year: number | null;
  baseline_value: string | null;
  target_year: number;
  comparator: string;
  target_value: string;
  wording: string | null;
  seasonal: Json | null;
  valid_from: ColumnType<Date, string, string>;
  valid_to: ColumnType<Date, string, string>;
  governing: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface AlertTable {
  id: Generated<number>;
  dedup_key: string;
  rule_id: string;
  site_id: number | null;
  parameter_id: number | null;
  source_id: string | null;
  state: 'pending' | 'firing' | 'resolved';
  severity: 'info' | 'warning' | 'critical';
  first_seen_at: Timestamp;
  fired_at: Timestamp | null;
  resolved_at: Timestamp | null;
  last_evaluated_at: Timestamp;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
  ack_note: string | null;
  late: ColumnType<boolean, boolean | undefined, boolean>;
  evidence: Json;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface AlertEventTable {
  id: Generated<number>;
  alert_id: number;
  at: CreatedAt;
  from_state: string | null;
  to_state: string;
  note: string | null;
  evidence: Json | null;
}

export interface SilenceTable {
  id: Generated<number>;
  matcher: Json;
  starts_at: Timestamp;
  ends_at: Timestamp;
  reason: string;
  created_by: string | null;
  created_at: CreatedAt;
}

export interface NotificationOutboxTable {
  id: Generated<number>;
  kind: 'alert' | 'resolution' | 'reminder' | 'daily_summary' | 'period_report';
  alert_id: number | null;
  dedup_key: string;
  payload: Json;
  status: ColumnType<OutboxStatus, 'pending' | 'suppressed' | undefined, OutboxStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  last_error: string | null;
  message_id: string | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
  silence_id: number | null;
  routed_at: Timestamp | null;
}

export type DeliveryChannel = 'email' | 'file' | 'webhook' | 'wecom' | 'dingtalk';

export interface NotificationDeliveryTable {
  id: Generated<number>;
  outbox_id: number;
  recipient: string;
  channel: DeliveryChannel;
  status: ColumnType<'pending' | 'sent' | 'failed', 'pending' | undefined, 'pending' | 'sent' | 'failed'>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  group_key: string | null;
  message_id: string | null;
  last_error: string | null;
  created_at: CreatedAt;
  sent_at: Timestamp | null;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed';

/** Rolling values of one hourly series; see migration 20261130T0000. */
export interface WindowAggregateTable {
  site_id: number;
  parameter_id: number;
  kind: AggregateKind;
  window_end: Date;
  /** Exact sum of the valid values (null for the O3 day, whose value is a maximum). */
  sum: string | null;
  valid_count: number;
  /** The published figure; null when the window has too few valid data. */
  value: string | null;
  /** Day windows: the largest hourly value and the number of valid hours. */
  max_hour: string | null;
  hour_count: number | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type AggregateKind = '8h' | '24h' | 'day' | 'month' | 'year';

export interface SeriesWatermarkTable {
  site_id: number;
  parameter_id: number;
  latest_hour: Date;
}

/** Which source ever delivered which series; see migration 20261201T0100. */
export interface SourceSeriesTable {
  source_id: string;
  site_id: number;
  parameter_id: number;
  /** The first and the latest interval end the source delivered for the series. */
  first_at: Timestamp;
  latest_at: Timestamp;
}

/** A bearer token of the HTTP API, kept as its SHA-256 only; see migration 20261201T0300. */
export interface ApiTokenTable {
  id: Generated<number>;
  name: string;
  token_sha256: ColumnType<Buffer, Buffer, never>;
  created_at: CreatedAt;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

/** A person who signs in to the web console; see migration 20261203T0100. */
export interface ConsoleUserTable {
  id: Generated<number>;
  name: string;
  role: 'viewer' | 'operator';
  /** scrypt$N$r$p$salt$hash (base64); never the password. */
  password_hash: string;
  must_change_password: Generated<boolean>;
  created_at: CreatedAt;
  password_changed_at: Timestamp | null;
  disabled_at: Timestamp | null;
}

/** A signed-in browser, kept as the SHA-256 of its cookie; see migration 20261203T0100. */
export interface ConsoleSessionTable {
  token_sha256: ColumnType<Buffer, Buffer, never>;
  user_id: number;
  csrf_token: string;
  created_at: CreatedAt;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  expires_at: Timestamp;
}

/** One entry of the audit trail: who did what to what, when; see migration 20261203T0100. */
export interface AuditLogTable {
  id: Generated<number>;
  at: CreatedAt;
  user_id: number | null;
  user_name: string | null;
  action: string;
  target: string | null;
  detail: ColumnType<Record<string, unknown>, string | undefined, string>;
  remote: string | null;
}

/** A natural day marked as affected by sand and dust (扣沙); see migration 20261202T0100. Read `day` as text. */
export interface DustDayTable {
  id: Generated<number>;
  /** YYYY-MM-DD (PostgreSQL `date`). */
  day: ColumnType<string, string, string>;
  /** null: every area. */
  area: string | null;
  note: string;
  marked_by: string;
  created_at: CreatedAt;
}

/** A station MN refused for one address after repeated wrong passwords; see migration 20261201T0200. */
export interface Hj212LockoutTable {
  source_id: string;
  mn: string;
  address: string;
  /** How many lockouts in a row this is; each lasts twice as long as the one before. */
  level: number;
  /** Wrong passwords that led to it. */
  failures: number;
  locked_at: Timestamp;
  locked_until: Timestamp;
}

/** Windows (and, with run_rules, rule runs) that stored data still owes; see migration 20261201T0400. */
export interface WindowsPendingTable {
  id: Generated<number>;
  site_id: number;
  parameter_id: number;
  /** Hour ends in (span_from, span_to]. */
  span_from: Date;
  span_to: Date;
  run_rules: boolean;
  created_at: CreatedAt;
}

/** Minute data (HJ 212 CN 2011 / 2051), one row per series and minute; see migration 20261202T0300. */
export interface MinuteReadingTable {
  site_id: number;
  parameter_id: number;
  /** Start of the minutes the value stands for. */
  minute_start: Timestamp;
  minutes: number;
  value: Numeric;
  flag: string;
  source_id: string | null;
}

/** Hours whose minute data changed and whose hourly value is still to be derived. */
export interface MinuteHourPendingTable {
  site_id: number;
  parameter_id: number;
  hour_end: Timestamp;
  marked_at: CreatedAt;
}

/** The latest derivation of each hour from minute data, valid or not. */
export interface MinuteHourTable {
  site_id: number;
  parameter_id: number;
  hour_end: Timestamp;
  minute_rows: number;
  valid_minutes: number;
  value: Numeric | null;
  flag: string;
  outcome: 'derived' | 'insufficient' | 'station';
  derived_at: CreatedAt;
}

/** The one row saying before which instant minute data has been dropped (`envmon partitions prune`). */
export interface MinuteRetentionTable {
  only_row: Generated<boolean>;
  pruned_before: Timestamp;
}

/** One row per monthly / annual report period: the first to insert it queues the report (once per period). */
export interface PeriodReportTable {
  kind: 'monthly' | 'annual';
  /** YYYY-MM (monthly) or YYYY (annual). */
  period: string;
  outbox_id: number | null;
  created_at: CreatedAt;
}

export interface Database {
  site: SiteTable;
  parameter: ParameterTable;
  source: SourceTable;
  reading: ReadingTable;
  reading_revision: ReadingRevisionTable;
  quarantine: QuarantineTable;
  plan_target: PlanTargetTable;
  alert: AlertTable;
  alert_event: AlertEventTable;
  silence: SilenceTable;
  notification_outbox: NotificationOutboxTable;
  window_aggregate: WindowAggregateTable;
  series_watermark: SeriesWatermarkTable;
  notification_delivery: NotificationDeliveryTable;
  source_series: SourceSeriesTable;
  api_token: ApiTokenTable;
  dust_day: DustDayTable;
  hj212_lockout: Hj212LockoutTable;
  windows_pending: WindowsPendingTable;
  period_report: PeriodReportTable;
  minute_reading: MinuteReadingTable;
  minute_hour_pending: MinuteHourPendingTable;
  minute_hour: MinuteHourTable;
  minute_retention: MinuteRetentionTable;
  console_user: ConsoleUserTable;
  console_session: ConsoleSessionTable;
  audit_log: AuditLogTable;
}

export type Site = Selectable<SiteTable>;
export type NewSite = Insertable<SiteTable>;
export type Source = Selectable<SourceTable>;
export type SourceUpdate = Updateable<SourceTable>;
export type Parameter = Selectable<ParameterTable>;
export type Reading = Selectable<ReadingTable>;
export type QuarantineItem = Selectable<QuarantineTable>;
export type NewQuarantineItem = Insertable<QuarantineTable>;
export type PlanTarget = Selectable<PlanTargetTable>;
export type ConsoleUserRow = Selectable<ConsoleUserTable>;
export type AuditEntry = Selectable<AuditLogTable>;
