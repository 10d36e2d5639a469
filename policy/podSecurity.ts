/**
 * Pod Security Standards, `restricted` profile (kubernetes.io, including the v1.34 host probes rule),
 * as one pure check over a pod spec. The policy pack, the workload tests and the data-tier tests all
 * call it, so the rule is written once.
 */

const ALLOWED_VOLUME_SOURCES = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];
const ALLOWED_SYSCTLS = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const ALLOWED_SELINUX_TYPES = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

type Obj = Record<string, any>;

function containersOf(spec: Obj): Array<{ where: string; c: Obj }> {
    const out: Array<{ where: string; c: Obj }> = [];
    for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
        for (const c of (spec[field] ?? []) as Obj[]) {
            out.push({ where: `${field}[${c.name ?? "?"}]`, c });
        }
    }
    return out;
}

function seccompOk(type: unknown): boolean {
    return type === "RuntimeDefault" || type === "Localhost";
}

/**
 * Violations of Pod Security `restricted` in a pod spec (for a workload, `spec.template.spec`), each
 * naming the field and the required value. Empty when the pod passes.
 */
export function podSecurityViolations(spec: Obj, annotations: Record<string, string> = {}): string[] {
    const v: string[] = [];
    const pod = spec.securityContext ?? {};
    const windows = spec.os?.name === "windows";

    // Baseline.
    for (const f of ["hostNetwork", "hostPID", "hostIPC"]) {
        if (spec[f]) {
            v.push(`spec.${f} must be unset or false`);
        }
    }
    if (pod.windowsOptions?.hostProcess) {
        v.push("spec.securityContext.windowsOptions.hostProcess must be unset or false");
    }
    for (const [i, vol] of ((spec.volumes ?? []) as Obj[]).entries()) {
        if (vol.hostPath) {
            v.push(`spec.volumes[${vol.name ?? i}] must not be a hostPath`);
        }
        const sources = Object.keys(vol).filter((k) => k !== "name");
        if (sources.length !== 1 || !ALLOWED_VOLUME_SOURCES.includes(sources[0])) {
            v.push(`spec.volumes[${vol.name ?? i}] must be one of ${ALLOWED_VOLUME_SOURCES.join(", ")} (found ${sources.join(", ") || "none"})`);
        }
    }
    for (const s of (pod.sysctls ?? []) as Obj[]) {
        if (!ALLOWED_SYSCTLS.includes(s.name)) {
            v.push(`spec.securityContext.sysctls ${s.name} is not allowed`);
        }
    }
    if (pod.appArmorProfile && !["RuntimeDefault", "Localhost"].includes(pod.appArmorProfile.type)) {
        v.push("spec.securityContext.appArmorProfile.type must be RuntimeDefault or Localhost");
    }
    for (const [k, val] of Object.entries(annotations)) {
        if (k.startsWith("container.apparmor.security.beta.kubernetes.io/") && val !== "runtime/default" && !val.startsWith("localhost/")) {
            v.push(`annotation ${k} must be runtime/default or localhost/*`);
        }
    }
    const seLinux = (o: Obj | undefined, where: string) => {
        if (!o) {
            return;
        }
        if (o.type !== undefined && !ALLOWED_SELINUX_TYPES.includes(o.type)) {
            v.push(`${where}.seLinuxOptions.type ${o.type} is not allowed`);
        }
        if (o.user || o.role) {
            v.push(`${where}.seLinuxOptions.user and .role must be unset`);
        }
    };
    seLinux(pod.seLinuxOptions, "spec.securityContext");

    // Restricted, pod level.
    if (pod.runAsUser === 0) {
        v.push("spec.securityContext.runAsUser must not be 0");
    }
    if (pod.seccompProfile?.type === "Unconfined") {
        v.push("spec.securityContext.seccompProfile.type must not be Unconfined");
    }

    for (const { where, c } of containersOf(spec)) {
        const sc: Obj = c.securityContext ?? {};
        const at = `${where}.securityContext`;
        if (sc.privileged) {
            v.push(`${at}.privileged must be unset or false`);
        }
        if (sc.windowsOptions?.hostProcess) {
            v.push(`${at}.windowsOptions.hostProcess must be unset or false`);
        }
        if (sc.procMount !== undefined && sc.procMount !== "Default") {
            v.push(`${at}.procMount must be Default`);
        }
        if (sc.appArmorProfile && !["RuntimeDefault", "Localhost"].includes(sc.appArmorProfile.type)) {
            v.push(`${at}.appArmorProfile.type must be RuntimeDefault or Localhost`);
        }
        seLinux(sc.seLinuxOptions, at);
        for (const p of (c.ports ?? []) as Obj[]) {
            if (p.hostPort) {
                v.push(`${where}.ports hostPort must be unset or 0`);
            }
        }
        for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
            const pr = c[probe];
            if (pr?.httpGet?.host || pr?.tcpSocket?.host) {
                v.push(`${where}.${probe} must not set a host`);
            }
        }
        for (const hook of ["postStart", "preStop"]) {
            const h = c.lifecycle?.[hook];
            if (h?.httpGet?.host || h?.tcpSocket?.host) {
                v.push(`${where}.lifecycle.${hook} must not set a host`);
            }
        }
        if (!windows) {
            if (sc.allowPrivilegeEscalation !== false) {
                v.push(`${at}.allowPrivilegeEscalation must be false`);
            }
            const drop: string[] = sc.capabilities?.drop ?? [];
            if (!drop.includes("ALL")) {
                v.push(`${at}.capabilities.drop must include ALL`);
            }
            const add: string[] = sc.capabilities?.add ?? [];
            if (add.some((a) => a !== "NET_BIND_SERVICE")) {
                v.push(`${at}.capabilities.add may only hold NET_BIND_SERVICE`);
            }
            const seccomp = sc.seccompProfile?.type;
            if (seccomp === "Unconfined" || (seccomp === undefined && !seccompOk(pod.seccompProfile?.type)) || (seccomp !== undefined && !seccompOk(seccomp))) {
                v.push(`${at}.seccompProfile.type (or the pod's) must be RuntimeDefault or Localhost`);
            }
        }
        if (sc.runAsNonRoot === false || (sc.runAsNonRoot === undefined && pod.runAsNonRoot !== true)) {
            v.push(`${at}.runAsNonRoot (or the pod's) must be true`);
        }
        if (sc.runAsUser === 0) {
            v.push(`${at}.runAsUser must not be 0`);
        }
    }
    return v;
}

/** The pod spec inside a workload object (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod). */
export function podSpecOf(kind: string, obj: Obj): { spec: Obj; annotations: Record<string, string> } | undefined {
    switch (kind) {
        case "Pod":
            return { spec: obj.spec ?? {}, annotations: obj.metadata?.annotations ?? {} };
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "Job":
            return { spec: obj.spec?.template?.spec ?? {}, annotations: obj.spec?.template?.metadata?.annotations ?? {} };
        case "CronJob":
            return { spec: obj.spec?.jobTemplate?.spec?.template?.spec ?? {}, annotations: obj.spec?.jobTemplate?.spec?.template?.metadata?.annotations ?? {} };
        default:
            return undefined;
    }
}
