/**
 * PostgreSQL for tests: the server at ALOFT_TEST_POSTGRES (default: the
 * local one, trust auth). Every store a test opens gets a schema of its own,
 * named after this run, and every one of them is dropped at the end, so runs
 * side by side never see each other's rows.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const POSTGRES_TEST_URL = process.env.ALOFT_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

export class TestSchemas {
  private readonly prefix = `aloft_test_${randomBytes(4).toString("hex")}`;
  private readonly created: string[] = [];

  /** A schema name no other run uses (made when a store opens on it). */
  name(): string {
    const name = `${this.prefix}_${this.created.length + 1}`;
    this.created.push(name);
    return name;
  }

  /** The URL of a fresh schema. */
  url(schema = this.name()): string {
    return `${POSTGRES_TEST_URL}${POSTGRES_TEST_URL.includes("?") ? "&" : "?"}schema=${schema}`;
  }

  /** Runs SQL outside any store (to set up or break a schema). */
  async sql(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
    await client.connect();
    try {
      return await client.query(text, values);
    } finally {
      await client.end();
    }
  }

  async dropAll(): Promise<void> {
    if (this.created.length) await this.sql(this.created.map((name) => `DROP SCHEMA IF EXISTS ${name} CASCADE;`).join("\n"));
  }
}
