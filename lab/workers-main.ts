// Everything the workers lab page offers, without side effects: the page entry (workers.ts) imports it
// dynamically. Pool workers import reactor chunks, and the bundler may put code those chunks share into
// the chunk of whoever imported them first; keeping this chunk free of top-level effects (no DOM access)
// makes it safe to load inside a worker.
import { checkWriter, startWriter, storeSuite, storeUntilQuota, storeWriteRate } from './workers-store';
import { coldStart, machineAddTodo, machineClose, machineMapReduce, machineOpen, machineTodos, machineView } from './workers-machine';
import { poolFailures, poolMapReduce, singleThreadMapReduce } from './workers-pool';

export const lab = {
  cores: navigator.hardwareConcurrency,
  storeSuite,
  startWriter,
  checkWriter,
  storeWriteRate,
  storeUntilQuota,
  poolMapReduce,
  singleThreadMapReduce,
  poolFailures,
  machineOpen,
  machineAddTodo,
  machineTodos,
  machineView,
  machineMapReduce,
  machineClose,
  coldStart,
};
