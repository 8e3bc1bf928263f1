// The threshold values being dragged, shared from the sliders to the charts before the debounced write lands.
import { ValueStore } from './value-store.js';

/** A field is present only while its slider holds a value the control plane has not confirmed yet. */
export interface ThresholdPreview {
  scaleUpThreshold?: number;
  scaleDownThreshold?: number;
}

export const createThresholdPreview = (): ValueStore<ThresholdPreview> => new ValueStore<ThresholdPreview>({});
