/** Plain-text tables of a water assessment, for `envmon assess --kind water`. */
import type { WaterAssessment } from '../standards/assessment-types.ts';

export function waterAssessmentText(result: WaterAssessment): string {
  void result;
  throw new Error('water assessment text is not built yet');
}
