/**
 * Strict unknown-field detection for validators that ignore unknown fields.
 *
 * kubernetes-models' precompiled ajv validators never set
 * `additionalProperties: false`, so a misspelled field passes silently. But a
 * compiled ajv validator *reads* every property its schema declares
 * (`data.foo === undefined`) and *enumerates* objects whose schema is a map
 * (`for (const k in data)`). So we hand the validator a tree of Proxies,
 * record what it touched, and afterwards every own key it never read is a
 * field the schema does not know.
 */

/** Bookkeeping for one proxied plain object (arrays are containers, never reported). */
interface Tracked {
  readonly target: Record<string, unknown>;
  readonly path: string;
  readonly read: Set<string>;
  /** The validator looked inside this object at all (any trap fired). */
  touched: boolean;
  /** The validator enumerated the keys: a map type (labels, resources.limits...), every key is accepted. */
  enumerated: boolean;
}

export interface TrackedRun<T> {
  /** Whatever the validate callback returned (or threw, as `error`). */
  readonly result?: T;
  readonly error?: unknown;
  /** JSON pointers of fields the validator never read. */
  readonly unknownFields: string[];
}

/** Escape one JSON-pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/**
 * Run `validate` against a proxied view of `data` and report unknown fields.
 * `basePath` is prefixed to every reported pointer (e.g. '/metadata').
 */
export function runTracked<T>(data: unknown, validate: (proxied: unknown) => T, basePath = ''): TrackedRun<T> {
  const nodes: Tracked[] = [];
  // One proxy per underlying object, so repeated reads return the same proxy.
  const proxies = new WeakMap<object, object>();

  const wrap = (value: unknown, path: string): unknown => {
    if (!isContainer(value)) return value;
    const existing = proxies.get(value);
    if (existing) return existing;

    const isArray = Array.isArray(value);
    const node: Tracked = {
      target: value as Record<string, unknown>,
      path,
      read: new Set(),
      touched: false,
      enumerated: false,
    };
    if (!isArray) nodes.push(node);

    // Children are wrapped lazily, on read: an object the validator never
    // reaches (e.g. under an unknown field) is never tracked, so it is not
    // reported twice.
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        const child = Reflect.get(target, key, receiver);
        if (typeof key !== 'string') return child;
        node.touched = true;
        node.read.add(key);
        return Object.prototype.hasOwnProperty.call(target, key) ? wrap(child, `${path}/${pointerSegment(key)}`) : child;
      },
      has(target, key) {
        node.touched = true;
        if (typeof key === 'string') node.read.add(key);
        return Reflect.has(target, key);
      },
      getOwnPropertyDescriptor(target, key) {
        node.touched = true;
        if (typeof key === 'string') node.read.add(key);
        return Reflect.getOwnPropertyDescriptor(target, key);
      },
      ownKeys(target) {
        node.touched = true;
        node.enumerated = true;
        return Reflect.ownKeys(target);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };

  let result: T | undefined;
  let error: unknown;
  try {
    result = validate(wrap(data, basePath));
  } catch (e) {
    error = e;
  }

  const unknownFields: string[] = [];
  for (const node of nodes) {
    // Untouched objects are free-form values the schema does not describe
    // (RawExtension e.g. ControllerRevision.data, FieldsV1 in managedFields,
    // JSON in CRD default/example): their schema is `{}` or a bare
    // `type: object`, so ajv never looks inside and we must not report them.
    if (!node.touched || node.enumerated) continue;
    for (const key of Object.keys(node.target)) {
      if (node.target[key] !== undefined && !node.read.has(key)) {
        unknownFields.push(`${node.path}/${pointerSegment(key)}`);
      }
    }
  }
  return { result, error, unknownFields };
}
