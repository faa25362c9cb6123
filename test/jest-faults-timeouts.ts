// A fault scenario pushes tens of thousands of records through an outage and its recovery.
jest.setTimeout(600_000);
