/** A problem found in a scenario file: where (a path like `traffic.sales.handleTime.meanSeconds`) and what. */
export interface ScenarioError {
  readonly path: string;
  readonly message: string;
}

/** `path: message`, the way scenario errors are printed. */
export function formatScenarioError(error: ScenarioError): string {
  return `${error.path}: ${error.message}`;
}
