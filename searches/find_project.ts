// Run as index.ts registers it, through practice.harden: its input is checked against these
// fields before perform runs, and whatever it throws leaves with its own redacted message.
// Adding a step: docs/adding-a-step.md.
import {
  defineInputFields,
  defineSearch,
  type InferInputData,
  type SearchPerform,
} from 'zapier-platform-core';
import { listProjects, type Project } from '../practice/api';
import { PROJECT_OUTPUT_FIELDS, PROJECT_SAMPLE } from '../practice/samples';
import { clean } from 'zapier-oauth-layer/internal';

/** 20 pages of 100: a firm's newest 2,000 projects (per client, when one is chosen). */
export const FIND_PROJECT_MAX_PAGES = 20;

const inputFields = defineInputFields([
  {
    key: 'name',
    label: 'Name',
    type: 'string',
    required: true,
    helpText: 'The exact project name to look for (not case-sensitive).',
  },
  {
    key: 'client_id',
    label: 'Client',
    type: 'string',
    required: false,
    dynamic: 'clients.id.name',
    helpText:
      "Only look at this client's projects. Recommended when several clients have projects with the same name.",
  },
]);

type Input = InferInputData<typeof inputFields>;

function sameName(a: string, b: string): boolean {
  return a.trim().localeCompare(b.trim(), undefined, { sensitivity: 'accent' }) === 0;
}

// Practice has no name filter: page through (newest first) until a page holds a match.
const perform = (async (z, bundle) => {
  const input: Input = bundle.inputData;
  const name = input.name.trim();
  if (!name) throw new z.errors.Error('Enter the Name of the project to find.', 'invalid_input', 400);
  const clientId = clean(input.client_id);
  let cursor: string | undefined;
  for (let pageNumber = 0; pageNumber < FIND_PROJECT_MAX_PAGES; pageNumber++) {
    const page = await listProjects(z, { client_id: clientId, cursor });
    const matches: Project[] = page.data.filter((project) => sameName(project.name, name));
    if (matches.length > 0) return matches;
    if (!page.next_cursor) return [];
    cursor = page.next_cursor;
  }
  // Saying "not found" after a partial look could make a Zap create a duplicate.
  throw new z.errors.Error(
    `Looked through the newest ${FIND_PROJECT_MAX_PAGES * 100} projects without finding "${name}" and stopped. ` +
      'Choose a Client to narrow the search.',
    'search_too_broad',
    400,
  );
}) satisfies SearchPerform<Input>;

export default defineSearch({
  key: 'find_project',
  noun: 'Project',
  display: {
    label: 'Find Project',
    description: 'Finds a project by name, optionally for one client.',
  },
  operation: {
    inputFields,
    perform,
    sample: PROJECT_SAMPLE,
    outputFields: [...PROJECT_OUTPUT_FIELDS],
  },
});
