/**
 * At most `max` tasks at once, the rest queued in arrival order. Script workers need it: started all at once,
 * fifty of them on two cores each took over two seconds just to boot, so time limits fired on healthy scripts.
 */
export function createSlots(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active < max) active++;
    // The finishing task hands its slot straight over, so `active` stays counted for us.
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}
