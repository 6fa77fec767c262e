/**
 * Lambda's concurrency model for the local server: each instance runs one invocation at a time,
 * and a request that finds every instance busy gets a new one (a cold start), up to `max`. So
 * concurrent requests do not share one breaker, one logger context or one event loop turn.
 */
export const handlerPool = <Args extends unknown[], Result>(
  createInstance: () => Promise<(...args: Args) => Result | Promise<Result>>,
  max = 100,
) => {
  type Instance = (...args: Args) => Result | Promise<Result>;
  const idle: Instance[] = [];
  const waiting: ((instance: Instance) => void)[] = [];
  let created = 0;

  const acquire = async (): Promise<Instance> => {
    const ready = idle.pop();
    if (ready) return ready;
    if (created < max) {
      created += 1;
      return createInstance();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (instance: Instance): void => {
    const next = waiting.shift();
    if (next) next(instance);
    else idle.push(instance);
  };

  const invoke = async (...args: Args): Promise<Result> => {
    const instance = await acquire();
    try {
      return await instance(...args);
    } finally {
      release(instance);
    }
  };
  return { invoke, size: () => created };
};
