import { k8s } from 'cdk8s-plus-30';
import { Construct } from 'constructs';
import {
  claimTemplate, componentService, componentServiceAccount, containerPort, emptyDirVolume, harborContainerSecurityContext, podSpecBase,
} from './workload';
import { kube, Wire } from '../../core/kube-object';
import { DATA_STORE_UID, HarborContext, PORTS, SERVICE_PORTS, componentLabels, componentName, componentSelector, secretEnv } from '../context';
import { InternalStore } from '../external-services';

/** Inputs of `buildDatabase`. */
export interface DatabaseOptions {
  readonly image: string;
  readonly resources: Wire<k8s.ResourceRequirements>;
  readonly initResources: Wire<k8s.ResourceRequirements>;
  readonly store: InternalStore;
}

const DATA_DIR = '/var/lib/postgresql/data';
/** PGDATA in a sub-directory of the volume (harbor-helm#756: a volume root may not be chmod-able to 0700). */
const PGDATA = `${DATA_DIR}/pgdata`;

/**
 * The internal PostgreSQL 15 (`harbor-db`): StatefulSet `<name>-database` with one RWO claim and
 * Service `<name>-database` (5432). The image creates database `registry` at initdb and applies
 * POSTGRES_PASSWORD only then (make/photon/db/initdb.sh), so the generated password must stay.
 */
export function buildDatabase(scope: Construct, ctx: HarborContext, options: DatabaseOptions): void {
  const name = componentName(ctx, 'database');
  componentServiceAccount(scope, ctx, 'database');
  componentService(scope, 'database-service', ctx, 'database', { name, ports: [{ name: 'postgres', port: SERVICE_PORTS.database, targetPort: PORTS.database }] });

  const dataMount: Wire<k8s.VolumeMount> = { name: 'database-data', mountPath: DATA_DIR };
  const healthcheck = (initialDelaySeconds: number): Wire<k8s.Probe> => ({
    // SELECT 1 through psql (make/photon/db/docker-healthcheck.sh).
    exec: { command: ['/docker-healthcheck.sh'] },
    initialDelaySeconds,
    periodSeconds: 10,
    timeoutSeconds: 1,
  });
  const labels = componentLabels(ctx, 'database');
  kube(k8s.KubeStatefulSet, scope, 'database', {
    metadata: { name, namespace: ctx.namespace, labels },
    spec: {
      replicas: 1,
      serviceName: name,
      selector: { matchLabels: componentSelector(ctx, 'database') },
      // Explicit (the Kubernetes default): the data survives deleting or scaling the StatefulSet.
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels },
        spec: {
          ...podSpecBase(ctx, 'database', DATA_STORE_UID),
          terminationGracePeriodSeconds: 120,
          initContainers: [{
            // PostgreSQL refuses a data directory with group or world access, which fsGroup adds on
            // some CSI drivers; runs after fsGroup is applied, so uid 999 may chmod it.
            name: 'data-permissions-ensurer',
            image: options.image,
            imagePullPolicy: 'IfNotPresent',
            command: ['/bin/sh'],
            args: ['-c', `chmod -R 700 ${PGDATA} || true`],
            resources: options.initResources,
            securityContext: harborContainerSecurityContext(false),
            volumeMounts: [dataMount],
          }],
          containers: [{
            name: 'database',
            image: options.image,
            imagePullPolicy: 'IfNotPresent',
            ports: [containerPort('postgres', PORTS.database)],
            livenessProbe: healthcheck(300),
            readinessProbe: healthcheck(1),
            env: [
              { name: 'PGDATA', value: PGDATA },
              // Only the password, by explicit secretKeyRef (the chart loads its whole Secret with envFrom).
              secretEnv('POSTGRES_PASSWORD', ctx.database.password),
            ],
            resources: options.resources,
            securityContext: harborContainerSecurityContext(false),
            volumeMounts: [dataMount, { name: 'shm-volume', mountPath: '/dev/shm' }],
          }],
          volumes: [emptyDirVolume('shm-volume', '512Mi', 'Memory')],
        },
      },
      volumeClaimTemplates: [claimTemplate(ctx, 'database', 'database-data', options.store.storageSize, options.store.storageClassName)],
    },
  });
}
