// Drives the built sample handbook in headless Chromium (Debian's package, never a
// downloaded browser), the way a reader uses it: from the file system, with no server.
//
// Run: `npm --prefix tests/browser test` (after `npm --prefix tests/browser ci`).
// Needs /usr/bin/chromium (or CHROMIUM=path) and a built ismsbook binary
// (ISMSBOOK=path, default target/debug/ismsbook).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const binary = process.env.ISMSBOOK ?? join(repo, "target", "debug", "ismsbook");
const book = join(mkdtempSync(join(tmpdir(), "ismsbook-browser-")), "book");
const screenshots = join(repo, "target", "browser");
let browser;

before(async () => {
  assert.ok(existsSync(binary), `no ismsbook binary at ${binary}: run cargo build first`);
  execFileSync(binary, ["--root", repo, "--today", "2026-11-23", "build", "--dest", book], { stdio: "pipe" });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  mkdirSync(screenshots, { recursive: true });
});

after(async () => {
  await browser?.close();
});

/// A page that fails the test on any console error, page error or network request.
async function open(path) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) problems.push(`network: ${r.url()}`); });
  await page.goto(pathToFileURL(join(book, path)).href);
  return { page, problems };
}

test("the register opens and leads to a document with its control block and history", async () => {
  const { page, problems } = await open("index.html");
  assert.equal(await page.title(), "Lumen Ledger ISMS Handbook");
  const rows = await page.locator("table.register tbody tr").count();
  assert.ok(rows >= 25, `register has ${rows} rows`);
  await page.getByRole("link", { name: "Access Control Policy" }).click();
  await page.waitForURL(/access-control-policy\.html$/);
  assert.match(await page.locator("table.control-block").innerText(), /POL-AC, version 2\.[0-9]+/);
  const history = await page.locator("section.history tbody tr").count();
  assert.ok(history >= 1, "the revision history has rows");
  await page.getByRole("link", { name: /A\.5\.15 Access control/ }).first().click();
  await page.waitForURL(/controls\/5\.15\.html$/);
  assert.match(await page.locator("h1").innerText(), /A\.5\.15 Access control/);
  await page.screenshot({ path: join(screenshots, "control.png") });
  assert.deepEqual(problems, []);
  await page.close();
});

test("search finds a word and opens the result", async () => {
  const { page, problems } = await open("search.html");
  await page.locator("#q").fill("ransomware");
  await page.waitForSelector("#results li");
  assert.match(await page.locator("#summary").innerText(), /found/);
  // The procedure that handles ransomware ranks above the policies that mention it once.
  const first = page.locator("#results li a").first();
  assert.equal(await first.innerText(), "PRC-IR Incident Response Procedure");
  await page.screenshot({ path: join(screenshots, "search.png") });
  await first.click();
  await page.waitForURL(/incident-response\.html$/);
  assert.match(await page.locator("article").innerText(), /ransomware/i);
  await page.screenshot({ path: join(screenshots, "handbook.png"), fullPage: false });
  assert.deepEqual(problems, []);
  await page.close();
});

test("every section page opens without errors", async () => {
  for (const path of ["dashboard.html", "soa.html", "clauses.html", "gaps.html", "archive.html", "controls/index.html", "treatment.html", "acknowledgements.html", "404.html"]) {
    const { page, problems } = await open(path);
    assert.ok((await page.locator("h1").count()) === 1, `${path} has one h1`);
    assert.deepEqual(problems, [], path);
    if (path === "dashboard.html") {
      // Controls, documents, reviews, risks, acknowledgements.
      assert.equal(await page.locator("svg.chart").count(), 5);
      await page.screenshot({ path: join(screenshots, "dashboard.png"), fullPage: true });
    }
    await page.close();
  }
});

test("the risk register shows its heat maps and leads from a risk to its controls and their documents", async () => {
  const { page, problems } = await open("index.html");
  await page.getByRole("navigation").getByRole("link", { name: "Risks" }).click();
  await page.waitForURL(/risks\/index\.html$/);
  assert.equal(await page.locator("h1").innerText(), "Risk register");
  // Two heat maps of 5 x 5 cells; every risk is in one cell of each.
  assert.equal(await page.locator("svg.heat-map").count(), 2);
  assert.equal(await page.locator("svg.heat-map g.cell").count(), 50);
  const risks = await page.locator("table.risks tbody tr").count();
  const counted = await page.locator("#inherent g.cell").evaluateAll((cells) => cells.reduce((n, c) => n + Number(c.dataset.count), 0));
  assert.equal(counted, risks);
  // The cell of likely x major holds three risks, named on hover.
  const cell = page.locator('#inherent g.cell[data-likelihood="4"][data-impact="4"]');
  assert.equal(await cell.getAttribute("data-count"), "3");
  assert.match(await cell.locator("title").textContent(), /R-04, R-09, R-10/);
  await page.setViewportSize({ width: 1280, height: 1400 });
  await page.screenshot({ path: join(screenshots, "risks.png") });
  await page.getByRole("link", { name: "Platform outage beyond customers' tolerance" }).click();
  await page.waitForURL(/risks\/R-07\.html$/);
  assert.match(await page.locator("table.control-block").innerText(), /by PLATFORM-LEAD on 2026-11-23/);
  const controls = await page.locator("table.risk-controls tbody tr").count();
  assert.ok(controls >= 5, `R-07 has ${controls} controls`);
  // Risk -> control -> document, and back from the control to the risk.
  const row = page.locator("table.risk-controls tbody tr", { hasText: "A.5.30" });
  assert.match(await row.innerText(), /partial/);
  assert.ok((await row.getByRole("link", { name: /POL-BC/ }).count()) === 1);
  await row.getByRole("link", { name: /A\.5\.30/ }).click();
  await page.waitForURL(/controls\/5\.30\.html$/);
  await page.getByRole("link", { name: "R-07 Platform outage beyond customers' tolerance" }).click();
  await page.waitForURL(/risks\/R-07\.html$/);
  assert.deepEqual(problems, []);
  await page.close();
});
