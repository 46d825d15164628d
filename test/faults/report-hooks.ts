// Mocha root hook of the fault run: print the table of every test's row.
import { printReportTable } from './report.ts';

export const mochaHooks = {
  afterAll(): void {
    printReportTable();
  },
};
