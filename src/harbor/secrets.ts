import { REGISTRY_USERNAME } from './context';
import { GeneratedValue } from '../core/generated-value';
import { SecretBootstrap } from '../core/secret-bootstrap';
import { SecretKeyReference } from '../core/secret-reference';

/**
 * Every secret value Harbor needs, as references to Secret keys in Harbor's namespace. Values are
 * generated in-cluster by the install's SecretBootstrap (created once, never overwritten, so they
 * are stable across re-synth and re-apply) or live in Secrets the user names.
 *
 * Layout (goharbor/harbor-helm@v1.18.4:templates/<component>/<component>-secret.yaml); keys keep the chart's names:
 *   <name>-core                  secretKey (16, file /etc/core/key), secret (CORE_SECRET, 16),
 *                                CSRF_KEY (32), tls.key (RSA 4096 PKCS#1) + tls.crt (token service)
 *   <name>-jobservice            JOBSERVICE_SECRET (16)
 *   <name>-registry              REGISTRY_HTTP_SECRET (16)
 *   <name>-registry-credentials  REGISTRY_PASSWD (32) + REGISTRY_HTPASSWD (bcrypt line of it): one
 *                                Secret, so the registry's htpasswd and the password core and
 *                                jobservice send can never disagree
 *   <name>-database              POSTGRES_PASSWORD (32), internal database only
 *   <name>-admin                 HARBOR_ADMIN_PASSWORD, unless the user names a Secret
 */
export interface HarborSecrets {
  /** `secretKey`: AES key for stored credentials: exactly 16 characters, no newline. */
  readonly secretKey: SecretKeyReference;
  /** `CORE_SECRET` (core, jobservice, registryctl). */
  readonly coreSecret: SecretKeyReference;
  /** `CSRF_KEY`: exactly 32 characters. */
  readonly csrfKey: SecretKeyReference;
  /** Token service signing key (PEM, PKCS#1), mounted at /etc/core/private_key.pem. */
  readonly tokenKey: SecretKeyReference;
  /** `JOBSERVICE_SECRET` (core, jobservice, registryctl). */
  readonly jobserviceSecret: SecretKeyReference;
  /** `REGISTRY_HTTP_SECRET` (registry, registryctl). */
  readonly registryHttpSecret: SecretKeyReference;
  /** `REGISTRY_CREDENTIAL_PASSWORD` (core, jobservice). */
  readonly registryPassword: SecretKeyReference;
  /** The htpasswd line for `registryPassword`, mounted at /etc/registry/passwd. */
  readonly registryHtpasswd: SecretKeyReference;
  /** PostgreSQL password (database, core, exporter). */
  readonly databasePassword: SecretKeyReference;
  /** `HARBOR_ADMIN_PASSWORD` (core, exporter, the setup Job). */
  readonly adminPassword: SecretKeyReference;
}

/** Inputs of `declareHarborSecrets`. */
export interface HarborSecretOptions {
  /** Instance name (prefix of the Secret names). */
  readonly name: string;
  /** A user-provided admin password: otherwise one is generated. */
  readonly adminPassword?: SecretKeyReference;
  /** The external database's password: otherwise (internal database) one is generated. */
  readonly databasePassword?: SecretKeyReference;
  /** The external Redis password, if any (only checked for existence). */
  readonly redisPassword?: SecretKeyReference;
}

/** Lengths the Harbor code requires (csrf.go, encrypt.go) or the chart uses (randAlphaNum 16). */
const SECRET_KEY_LENGTH = 16;
const CSRF_KEY_LENGTH = 32;
const INTERNAL_SECRET_LENGTH = 16;
const PASSWORD_LENGTH = 32;

/** Declares the generated Secrets (and the user's Secrets as required) on `bootstrap`. */
export function declareHarborSecrets(bootstrap: SecretBootstrap, options: HarborSecretOptions): HarborSecrets {
  const core = bootstrap.addSecret(`${options.name}-core`, {
    keys: {
      'secretKey': GeneratedValue.randomAlphanumeric(SECRET_KEY_LENGTH),
      'secret': GeneratedValue.randomAlphanumeric(INTERNAL_SECRET_LENGTH),
      'CSRF_KEY': GeneratedValue.randomAlphanumeric(CSRF_KEY_LENGTH),
      // Harbor's installer: `openssl genrsa -traditional 4096` (PKCS#1). The certificate is kept
      // beside the key like the chart's `tls.crt`; core reads only the key.
      'tls.key': GeneratedValue.rsaPrivateKey(4096),
      'tls.crt': GeneratedValue.selfSignedCertificate('tls.key', 'harbor-token-ca'),
    },
  });
  const jobservice = bootstrap.addSecret(`${options.name}-jobservice`, {
    keys: { JOBSERVICE_SECRET: GeneratedValue.randomAlphanumeric(INTERNAL_SECRET_LENGTH) },
  });
  const registry = bootstrap.addSecret(`${options.name}-registry`, {
    keys: { REGISTRY_HTTP_SECRET: GeneratedValue.randomAlphanumeric(INTERNAL_SECRET_LENGTH) },
  });
  const credentials = bootstrap.addSecret(`${options.name}-registry-credentials`, {
    keys: {
      REGISTRY_PASSWD: GeneratedValue.randomAlphanumeric(PASSWORD_LENGTH),
      REGISTRY_HTPASSWD: GeneratedValue.bcryptHtpasswd(REGISTRY_USERNAME, 'REGISTRY_PASSWD'),
    },
  });

  let databasePassword = options.databasePassword;
  if (databasePassword === undefined) {
    databasePassword = bootstrap.addSecret(`${options.name}-database`, {
      keys: { POSTGRES_PASSWORD: GeneratedValue.randomAlphanumeric(PASSWORD_LENGTH) },
    }).keyRef('POSTGRES_PASSWORD');
  } else {
    requireExisting(bootstrap, databasePassword);
  }
  let adminPassword = options.adminPassword;
  if (adminPassword === undefined) {
    adminPassword = bootstrap.addSecret(`${options.name}-admin`, {
      keys: { HARBOR_ADMIN_PASSWORD: adminPasswordGenerator() },
    }).keyRef('HARBOR_ADMIN_PASSWORD');
  } else {
    requireExisting(bootstrap, adminPassword);
  }
  if (options.redisPassword !== undefined) requireExisting(bootstrap, options.redisPassword);

  return {
    secretKey: core.keyRef('secretKey'),
    coreSecret: core.keyRef('secret'),
    csrfKey: core.keyRef('CSRF_KEY'),
    tokenKey: core.keyRef('tls.key'),
    jobserviceSecret: jobservice.keyRef('JOBSERVICE_SECRET'),
    registryHttpSecret: registry.keyRef('REGISTRY_HTTP_SECRET'),
    registryPassword: credentials.keyRef('REGISTRY_PASSWD'),
    registryHtpasswd: credentials.keyRef('REGISTRY_HTPASSWD'),
    databasePassword,
    adminPassword,
  };
}

/**
 * The generated admin password: Harbor's password policy (8-128 characters with an upper-case
 * letter, a lower-case letter and a digit) applies when it is changed through the API, and the
 * setup Job may have to send it there: randomPassword guarantees all three classes.
 */
function adminPasswordGenerator(): GeneratedValue {
  return GeneratedValue.randomPassword(PASSWORD_LENGTH);
}

/** The bootstrap Job checks that a user-provided Secret exists with the key (declaring a Secret twice adds keys). */
function requireExisting(bootstrap: SecretBootstrap, ref: SecretKeyReference): void {
  bootstrap.requireExistingSecret(ref.secretName, [ref.key]);
}
