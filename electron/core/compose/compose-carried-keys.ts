// Which of a service's Compose keys reach its replicas, so a scaled service warns about each one that does not.

/** Keys the planner reads and carries (or whose meaning ScaleDeck takes over, as `restart`: it replaces dead replicas). */
const CARRIED = new Set([
  'image', 'build', 'command', 'entrypoint', 'environment', 'env_file', 'ports', 'expose', 'healthcheck', 'deploy',
  'secrets', 'configs', 'volumes', 'networks', 'depends_on', 'profiles', 'working_dir', 'user', 'labels',
  'extra_hosts', 'shm_size', 'ulimits', 'cap_add', 'cap_drop', 'read_only', 'tmpfs', 'stop_signal',
  'stop_grace_period', 'scale', 'cpus', 'mem_limit', 'restart', 'network_mode', 'volumes_from',
]);

/** The Compose Specification's other service keys: known, valid, and not carried to replicas. */
const KNOWN = new Set([
  'annotations', 'attach', 'blkio_config', 'cpu_count', 'cpu_percent', 'cpu_shares', 'cpu_period', 'cpu_quota',
  'cpu_rt_runtime', 'cpu_rt_period', 'cpuset', 'cgroup', 'cgroup_parent', 'credential_spec', 'develop',
  'device_cgroup_rules', 'devices', 'dns', 'dns_opt', 'dns_search', 'domainname', 'external_links', 'gpus',
  'group_add', 'hostname', 'init', 'ipc', 'isolation', 'label_file', 'links', 'logging', 'mac_address',
  'mem_reservation', 'mem_swappiness', 'memswap_limit', 'models', 'oom_kill_disable', 'oom_score_adj', 'pid',
  'pids_limit', 'platform', 'post_start', 'pre_start', 'pre_stop', 'privileged', 'provider', 'pull_policy', 'runtime',
  'security_opt', 'stdin_open', 'storage_opt', 'sysctls', 'tty', 'use_api_socket', 'userns_mode', 'uts',
]);

/** What `deploy:` holds beyond the replica count and the limits ScaleDeck reads. */
const DEPLOY_CARRIED = new Set(['replicas', 'resources']);

export function notCarriedWarnings(service: { keys: string[]; containerName?: string; deployKeys: string[] }): string[] {
  const warnings: string[] = [];
  if (service.containerName !== undefined) {
    warnings.push(`container_name "${service.containerName}" is dropped: replicas are named by ScaleDeck, since one name cannot be given to several containers`);
  }
  for (const key of service.keys) {
    if (CARRIED.has(key) || key === 'container_name' || key.startsWith('x-')) continue;
    warnings.push(KNOWN.has(key) ? `${key} is not carried to ScaleDeck's replicas; ignored` : `${key} is not a Compose service key ScaleDeck knows; ignored`);
  }
  for (const key of service.deployKeys) {
    if (!DEPLOY_CARRIED.has(key)) warnings.push(`deploy.${key} is not carried to ScaleDeck's replicas; ignored`);
  }
  return warnings;
}
