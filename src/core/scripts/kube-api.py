"""Minimal Kubernetes API client for the platform's bootstrap and setup Jobs.

The Jobs run in goharbor/prepare (Photon OS 5 with bash, curl, openssl, htpasswd and python3, see
docs/images.md), which has no kubectl. This client uses only the Python standard library and the
Pod's ServiceAccount credentials, and does the few Secret operations the scripts need. Secret
values travel through files and stdout only, never through arguments or log lines.

Usage: python3 -I kube-api.py COMMAND ARGS...
  secret-state NS NAME              prints "present" or "absent"
  secret-keys NS NAME [--non-empty] prints the data keys, each after a space (like " a b")
  secret-value NS NAME KEY          writes the decoded value of KEY to stdout (nothing if the key is absent)
  create-secret NS NAME --type TYPE [--label K=V]... --from-file KEY=PATH...
                                    creates the Secret; prints "created", or "exists" when a Secret
                                    of that name exists already (it is left untouched)
  get PATH                          prints the JSON object at an API PATH (e.g. /apis/velero.io/v1/...)
  create PATH FILE                  POSTs the JSON object in FILE to the collection PATH; prints
                                    "created" or "exists"
  status-phase PATH                 prints .status.phase of the object at PATH (an empty line when unset)
  workloads-ready NS                prints "ready: ..." when every Deployment and StatefulSet of NS
                                    has all its replicas updated and ready (and there is at least
                                    one), else "waiting: ..." naming what is not

Exit status: 0 success, 1 API or connection error, 2 usage error, 3 forbidden (the namespace or the
Role that grants this Job access does not exist yet), 4 not found (secret-keys, secret-value, get).

Environment:
  KUBE_API_URL          API server URL (default https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT)
  KUBE_TOKEN_FILE       bearer token, re-read for every request because the kubelet rotates it
                        (default /var/run/secrets/kubernetes.io/serviceaccount/token)
  KUBE_CA_FILE          CA bundle that signs the API server certificate
                        (default /var/run/secrets/kubernetes.io/serviceaccount/ca.crt)
  KUBE_API_TIMEOUT_SECONDS  timeout of one request (default 30)
"""

import base64
import http.client
import json
import os
import ssl
import sys
import urllib.parse

SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'
EXIT_ERROR, EXIT_USAGE, EXIT_FORBIDDEN, EXIT_NOT_FOUND = 1, 2, 3, 4


class ApiError(Exception):
    def __init__(self, message, code=EXIT_ERROR):
        super().__init__(message)
        self.code = code


def api_url():
    url = os.environ.get('KUBE_API_URL', '')
    if url:
        return url
    host = os.environ.get('KUBERNETES_SERVICE_HOST', '')
    port = os.environ.get('KUBERNETES_SERVICE_PORT', '443')
    if not host:
        raise ApiError('neither KUBE_API_URL nor KUBERNETES_SERVICE_HOST is set: not running in a Pod?', EXIT_USAGE)
    if ':' in host:  # IPv6 address
        host = '[' + host + ']'
    return 'https://%s:%s' % (host, port)


def connection():
    url = urllib.parse.urlsplit(api_url())
    timeout = float(os.environ.get('KUBE_API_TIMEOUT_SECONDS', '30'))
    if url.scheme == 'https':
        context = ssl.create_default_context(cafile=os.environ.get('KUBE_CA_FILE', SA_DIR + '/ca.crt'))
        return http.client.HTTPSConnection(url.hostname, url.port or 443, timeout=timeout, context=context)
    if url.scheme == 'http':
        return http.client.HTTPConnection(url.hostname, url.port or 80, timeout=timeout)
    raise ApiError('KUBE_API_URL must start with https:// or http://, got %r' % api_url(), EXIT_USAGE)


def request(method, path, body=None):
    """Returns (status, parsed JSON body or None)."""
    token_file = os.environ.get('KUBE_TOKEN_FILE', SA_DIR + '/token')
    try:
        with open(token_file, encoding='utf-8') as f:
            token = f.read().strip()
    except OSError as e:
        raise ApiError('cannot read the ServiceAccount token %s: %s' % (token_file, e.strerror))
    headers = {'Authorization': 'Bearer ' + token, 'Accept': 'application/json'}
    data = None
    if body is not None:
        data = json.dumps(body).encode('utf-8')
        headers['Content-Type'] = 'application/json'
    conn = connection()
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    except (OSError, http.client.HTTPException) as e:
        raise ApiError('%s %s: cannot reach the API server at %s: %s' % (method, path, api_url(), e))
    finally:
        conn.close()
    try:
        parsed = json.loads(raw.decode('utf-8')) if raw else None
    except ValueError:
        parsed = None
    return response.status, parsed


def fail_for(method, path, status, body):
    body = body if isinstance(body, dict) else {}
    reason = body.get('reason') or http.client.responses.get(status, '')
    code = {403: EXIT_FORBIDDEN, 404: EXIT_NOT_FOUND}.get(status, EXIT_ERROR)
    raise ApiError('%s %s: HTTP %d %s: %s' % (method, path, status, reason, body.get('message', '')), code)


def secret_path(namespace, name=None):
    path = '/api/v1/namespaces/%s/secrets' % urllib.parse.quote(namespace, safe='')
    return path if name is None else path + '/' + urllib.parse.quote(name, safe='')


def get_object(path, missing_ok=False):
    status, body = request('GET', path)
    if status == 200:
        return body
    if status == 404 and missing_ok:
        return None
    fail_for('GET', path, status, body)


def create_object(path, obj):
    status, body = request('POST', path, obj)
    if status in (200, 201, 202):
        return 'created'
    if status == 409 and isinstance(body, dict) and body.get('reason') == 'AlreadyExists':
        return 'exists'
    fail_for('POST', path, status, body)


def secret_data(namespace, name):
    secret = get_object(secret_path(namespace, name))
    return secret.get('data') or {}


def cmd_secret_state(namespace, name):
    present = get_object(secret_path(namespace, name), missing_ok=True) is not None
    print('present' if present else 'absent')


def cmd_secret_keys(namespace, name, *flags):
    if flags not in ((), ('--non-empty',)):
        raise ApiError('usage: secret-keys NS NAME [--non-empty]', EXIT_USAGE)
    data = secret_data(namespace, name)
    keys = sorted(k for k, v in data.items() if v or not flags)
    sys.stdout.write(''.join(' ' + k for k in keys))


def cmd_secret_value(namespace, name, key):
    value = secret_data(namespace, name).get(key) or ''
    sys.stdout.buffer.write(base64.b64decode(value, validate=True))


def cmd_create_secret(namespace, name, *args):
    secret_type, labels, data = 'Opaque', {}, {}
    options = list(args)
    while options:
        option = options.pop(0)
        if not options:
            raise ApiError('create-secret: %s needs a value' % option, EXIT_USAGE)
        value = options.pop(0)
        key, sep, rest = value.partition('=')
        if option == '--type':
            secret_type = value
        elif option == '--label' and sep and key:
            labels[key] = rest
        elif option == '--from-file' and sep and key:
            if key in data:
                raise ApiError('create-secret: key %s given twice' % key, EXIT_USAGE)
            try:
                with open(rest, 'rb') as f:
                    data[key] = base64.b64encode(f.read()).decode('ascii')
            except OSError as e:
                raise ApiError('create-secret: cannot read %s for key %s: %s' % (rest, key, e.strerror), EXIT_USAGE)
        else:
            raise ApiError('create-secret: unknown option %s %s' % (option, value), EXIT_USAGE)
    secret = {
        'apiVersion': 'v1',
        'kind': 'Secret',
        'metadata': {'name': name, 'namespace': namespace, 'labels': labels},
        'type': secret_type,
        'data': data,
    }
    print(create_object(secret_path(namespace), secret))


def cmd_get(path):
    print(json.dumps(get_object(path)))


def cmd_create(path, file):
    try:
        with open(file, encoding='utf-8') as f:
            obj = json.load(f)
    except (OSError, ValueError) as e:
        raise ApiError('create: cannot read a JSON object from %s: %s' % (file, e), EXIT_USAGE)
    print(create_object(path, obj))


def cmd_status_phase(path):
    obj = get_object(path)
    print((obj.get('status') or {}).get('phase') or '')


def workload_state(kind, item):
    """(ready?, description) of one Deployment or StatefulSet."""
    meta, spec, status = item.get('metadata') or {}, item.get('spec') or {}, item.get('status') or {}
    desired = spec.get('replicas', 1)
    ready, updated = status.get('readyReplicas', 0), status.get('updatedReplicas', 0)
    current = status.get('observedGeneration', 0) >= meta.get('generation', 0)
    text = '%s/%s %d/%d ready' % (kind, meta.get('name', '?'), ready, desired)
    if not current:
        text += ', rollout not observed yet'
    return current and ready >= desired and updated >= desired, text


def cmd_workloads_ready(namespace):
    ns = urllib.parse.quote(namespace, safe='')
    states = []
    for kind, plural in (('deployment', 'deployments'), ('statefulset', 'statefulsets')):
        listing = get_object('/apis/apps/v1/namespaces/%s/%s' % (ns, plural))
        states += [workload_state(kind, item) for item in listing.get('items') or []]
    if not states:
        print('waiting: no Deployment or StatefulSet in namespace %s yet' % namespace)
    elif all(ready for ready, _ in states):
        print('ready: ' + ', '.join(text for _, text in states))
    else:
        print('waiting: ' + ', '.join(text for ready, text in states if not ready))


COMMANDS = {
    'secret-state': (cmd_secret_state, 2, 2),
    'secret-keys': (cmd_secret_keys, 2, 3),
    'secret-value': (cmd_secret_value, 3, 3),
    'create-secret': (cmd_create_secret, 2, None),
    'get': (cmd_get, 1, 1),
    'create': (cmd_create, 2, 2),
    'status-phase': (cmd_status_phase, 1, 1),
    'workloads-ready': (cmd_workloads_ready, 1, 1),
}


def main(argv):
    if not argv or argv[0] not in COMMANDS:
        raise ApiError('usage: kube-api.py %s ARGS...' % '|'.join(COMMANDS), EXIT_USAGE)
    command, least, most = COMMANDS[argv[0]]
    args = argv[1:]
    if len(args) < least or (most is not None and len(args) > most):
        raise ApiError('%s: wrong number of arguments (see the usage at the top of kube-api.py)' % argv[0], EXIT_USAGE)
    command(*args)


if __name__ == '__main__':
    try:
        main(sys.argv[1:])
    except ApiError as e:
        sys.stderr.write('kube-api: %s\n' % e)
        sys.exit(e.code)
    except ValueError as e:  # invalid base64 from the API server
        sys.stderr.write('kube-api: %s\n' % e)
        sys.exit(EXIT_ERROR)
