import * as pulumi from '@pulumi/pulumi';

/** What the mock monitor saw. MockResourceArgs has no parent/dependsOn: capture options separately. */
export interface Registered { readonly type: string; readonly name: string; readonly inputs: any }

/**
 * Installs Pulumi's mocks for the calling test file (in `beforeAll`; `setMocks` returns a Promise)
 * and returns the list every registered resource is appended to.
 */
export function useRecordingMocks(): Registered[] {
  const registered: Registered[] = [];
  beforeAll(async () => {
    await pulumi.runtime.setMocks({
      newResource: args => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}_id`, state: args.inputs };
      },
      call: args => args.inputs,
    }, 'project', 'stack', false);
  });
  return registered;
}

/** The value of an Output (mocks resolve every Output). */
export function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise(resolve => output.apply(resolve));
}
