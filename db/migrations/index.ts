/** Every migration, by name. Names are timestamps so they sort in the order they were written. */
import type { Migration } from 'kysely';
import * as initial from './20261122T0000_initial.ts';
import * as bulkIngest from './20261122T0100_bulk_ingest.ts';
import * as rollingAggregates from './20261130T0000_rolling_aggregates.ts';
import * as notificationDelivery from './20261130T0100_notification_delivery.ts';
import * as sourceSeries from './20261201T0100_source_series.ts';
import * as hostileInput from './20261201T0200_hostile_input.ts';
import * as apiTokens from './20261201T0300_api_tokens.ts';
import * as windowsPending from './20261201T0400_windows_pending.ts';
import * as dustDays from './20261202T0100_dust_days.ts';
import * as minuteHours from './20261202T0300_minute_hours.ts';
import * as periodReports from './20261202T0400_period_reports.ts';
import * as consoleUsers from './20261203T0100_console_users.ts';
import * as movingWindowHorizon from './20261204T0100_moving_window_horizon.ts';
import * as minuteRetention from './20261205T0100_minute_retention.ts';

export const migrations: Record<string, Migration> = {
  '20261122T0000_initial': initial,
  '20261122T0100_bulk_ingest': bulkIngest,
  '20261130T0000_rolling_aggregates': rollingAggregates,
  '20261130T0100_notification_delivery': notificationDelivery,
  '20261201T0100_source_series': sourceSeries,
  '20261201T0200_hostile_input': hostileInput,
  '20261201T0300_api_tokens': apiTokens,
  '20261201T0400_windows_pending': windowsPending,
  '20261202T0100_dust_days': dustDays,
  '20261202T0300_minute_hours': minuteHours,
  '20261202T0400_period_reports': periodReports,
  '20261203T0100_console_users': consoleUsers,
  '20261204T0100_moving_window_horizon': movingWindowHorizon,
  '20261205T0100_minute_retention': minuteRetention,
};
