// Before the unit tests: choose the run's fast-check seed, print it once and hand it to every test file.
import type { TestProject } from 'vitest/node';
import { chooseSeed, seedLine } from './property-seed-choice.js';

export default function setup(project: TestProject): void {
  const chosen = chooseSeed();
  console.log(seedLine(chosen));
  project.provide('fcSeed', chosen.seed);
}
