/**
 * Setup file of every vitest project (vitest.config.ts): the event loop turns
 * before each test.
 *
 * Why: vitest's test worker reports each test's start to the main process over
 * an RPC whose reply must be read within 60 s, or the run ends with an
 * unhandled `[vitest-worker]: Timeout calling "onTaskUpdate"` error (exit code
 * 1, every test passed). Between the synchronous tests of one file the worker
 * never reads its messages, so their times add up: on a loaded 2-core machine
 * (load ~25) the three model tests of cow-map.model.test.ts took 73 s in a
 * row, and a full run failed so. Three synchronous tests of 22 s in one file
 * fail the same way every time; with this setup file they pass.
 */
import { beforeEach } from "vitest";
import { eventLoopTurns } from "./turn.js";

beforeEach(eventLoopTurns);
