// Builds what the pages ship, from the pinned npm packages (make assets; output committed):
// - static/vendor/bootstrap/bootstrap.trimmed.min.css: Bootstrap's CSS with only the rules the
//   templates, the form templates (crispy-bootstrap5, django-filter) and the code name;
// - lbc_office/core/icons/<name>.svg: the bootstrap-icons the templates ({% icon "name" %}) and
//   the code (icon="name") use, inlined by lbc_office/core/templatetags/icons.py.
import { readFileSync, writeFileSync, mkdirSync, readdirSync, rmSync, copyFileSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { PurgeCSS } from "purgecss";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const modules = join(root, "assets", "node_modules");
const apps = ["lbc_office", "registry", "programmes", "volunteers"];

function walk(dir, exts, out = []) {
  for (const name of readdirSync(dir).sort()) {
    if (name === "node_modules" || name === "migrations" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, exts, out);
    else if (exts.some((ext) => name.endsWith(ext))) out.push(path);
  }
  return out;
}

const sitePackages = join(root, ".venv", "lib");
const formTemplates = readdirSync(sitePackages).flatMap((python) =>
  ["crispy_bootstrap5", "django_filters"].map((pkg) => join(sitePackages, python, "site-packages", pkg, "templates")),
).filter((dir) => { try { return statSync(dir).isDirectory(); } catch { return false; } });
if (formTemplates.length < 2) throw new Error("run make setup first: the form templates are read from .venv");

const sources = [
  ...walk(join(root, "templates"), [".html"]),
  ...apps.flatMap((app) => walk(join(root, app), [".html", ".py"])),
  ...walk(join(root, "static", "js"), [".js"]),
  ...formTemplates.flatMap((dir) => walk(dir, [".html"])),
];

// 1. The trimmed Bootstrap CSS.
const [result] = await new PurgeCSS().purge({
  content: sources,
  css: [join(modules, "bootstrap", "dist", "css", "bootstrap.min.css")],
  fontFace: true,
  keyframes: true,
  variables: true,
  safelist: {
    // Classes Bootstrap's JavaScript sets (collapse and dropdown are the plugins used), and those
    // a template builds from a value (alert-{{ message.tags }}, bg-{% if … %}).
    standard: ["show", "collapsing", "collapse", "fade", "dropdown-menu-end", "is-invalid", "was-validated"],
    deep: [],
    greedy: [/data-bs-popper/, /^alert-/, /^bg-/, /^text-bg-/],
  },
});
const css = result.css.replace(/\/\*# sourceMappingURL=.*?\*\//g, "").trim() + "\n";
const cssOut = join(root, "static", "vendor", "bootstrap", "bootstrap.trimmed.min.css");
writeFileSync(cssOut, css);
console.log(`${cssOut}: ${css.length} bytes`);

// 2. The icons the templates and the code name.
const names = new Set();
for (const file of sources.filter((f) => !f.includes(".venv"))) {
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/\{%\s*icon\s+["']([a-z0-9-]+)["']/g)) names.add(m[1]);
  for (const m of text.matchAll(/\bicon\s*=\s*["']([a-z0-9-]+)["']/g)) names.add(m[1]);
}
const iconDir = join(root, "lbc_office", "core", "icons");
rmSync(iconDir, { recursive: true, force: true });
mkdirSync(iconDir, { recursive: true });
for (const name of [...names].sort()) {
  copyFileSync(join(modules, "bootstrap-icons", "icons", `${name}.svg`), join(iconDir, `${name}.svg`));
}
console.log(`${iconDir}: ${names.size} icons`);
