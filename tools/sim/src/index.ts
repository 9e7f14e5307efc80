export type { ScenarioError } from './scenario-error.ts';
export { formatScenarioError } from './scenario-error.ts';
export type {
  Scenario,
  QueueTraffic,
  AgentGroup,
  ArrivalSpec,
  DurationSpec,
  TimeWindow,
  BreakSpec,
} from './scenario.ts';
export { parseScenario, readScenario } from './scenario.ts';
export type { SimulationOptions, SimulationProgress } from './simulation.ts';
export { runSimulation } from './simulation.ts';
export type { SimulationReport, QueueReport, AgentReport } from './simulation-report.ts';
export { formatReport } from './format-report.ts';
export type { Router, RouterDecision } from './router.ts';
export { createAcdRouter } from './router.ts';
export { createNaiveReferenceRouter } from './naive-reference-router.ts';
export type { ConfidenceInterval } from './confidence-interval.ts';
export { batchMeansInterval } from './confidence-interval.ts';
