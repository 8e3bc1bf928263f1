// A refusal from the control plane as a person reads it: its message, and the field it names when the message does not.
export function refusalText(answer: { error: string; field?: string }): string {
  return answer.field && !answer.error.includes(answer.field) ? `${answer.error} (field: ${answer.field})` : answer.error;
}
