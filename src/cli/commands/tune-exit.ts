import type { TuneStatus } from '../../tune/types';
import { EXIT } from '../exit-codes';

/** 0 when the run met its threshold or a person accepted it; 5 when it ended below the threshold. */
export function tuneExitCode(s: TuneStatus): number {
  if (s.termination === 'threshold-met' || s.termination === 'accepted') return EXIT.ok;
  return EXIT.belowThreshold;
}
