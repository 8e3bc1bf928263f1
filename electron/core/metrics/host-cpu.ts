// Host CPU use in percent of all cores, from systeminformation (the seed scaled on this figure).
import si from 'systeminformation';

/** CPU use of the whole machine since the previous call, 0..100. */
export async function hostCpuPercent(): Promise<number> {
  const load = await si.currentLoad();
  return load.currentLoad;
}
