import { readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type DefaultTheme } from 'vitepress';

const siteRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The sidebar of the generated API reference: one group per package, pages as TypeDoc wrote them. */
function apiSidebar(): DefaultTheme.SidebarItem[] {
  const apiDirectory = path.join(siteRoot, 'api/@pyramids');
  if (!existsSync(apiDirectory)) return [];
  // One page per package (typedoc.json: outputFileStrategy "modules").
  return readdirSync(apiDirectory)
    .filter((name) => name.endsWith('.md'))
    .map((name) => name.slice(0, -'.md'.length))
    .map((name) => ({ text: `@pyramids/${name}`, link: `/api/@pyramids/${name}` }));
}

const guides: DefaultTheme.SidebarItem[] = [
  { text: 'Getting started', link: '/guide/getting-started' },
  { text: 'Searching a STAC API', link: '/guide/search' },
  { text: 'Building a cube', link: '/guide/cube' },
  { text: 'A live cube in your browser', link: '/guide/live-cube' },
  { text: 'A cube around a point', link: '/guide/from-point' },
  { text: 'Reading one asset', link: '/guide/read-asset' },
  { text: 'Extension metadata', link: '/guide/extension-metadata' },
  { text: 'VRT mosaics', link: '/guide/vrt' },
  { text: 'Raster → STAC Item', link: '/guide/to-stac-item' },
  { text: 'stac-geoparquet', link: '/guide/geoparquet' },
  { text: 'Downloads', link: '/guide/downloads' },
  { text: 'Distributed cubes (queue)', link: '/guide/distributed-cubes' },
];

const signers: DefaultTheme.SidebarItem[] = [
  { text: 'Signers', link: '/signers/' },
  { text: 'AWS S3', link: '/signers/aws' },
  { text: 'Planetary Computer', link: '/signers/planetary-computer' },
  { text: 'NASA Earthdata', link: '/signers/earthdata' },
  { text: 'Copernicus Data Space', link: '/signers/cdse' },
  { text: 'Write your own signer', link: '/signers/write-your-own' },
  { text: 'Write your own reader', link: '/guide/write-a-reader' },
];

const reference: DefaultTheme.SidebarItem[] = [
  { text: 'CLI reference', link: '/reference/cli' },
  { text: 'API reference', link: '/api/', items: apiSidebar(), collapsed: true },
  { text: 'Migrating from Python', link: '/reference/migrating' },
  { text: 'Performance', link: '/reference/performance' },
  { text: 'Architecture', link: '/reference/architecture' },
];

export default defineConfig({
  title: 'pyramids',
  description: 'From a STAC catalog to analysis-ready rasters, in TypeScript.',
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  cleanUrls: false,
  lastUpdated: false,
  // Every internal link must resolve; a dead link fails the build.
  ignoreDeadLinks: false,
  srcExclude: ['examples/**', 'README.md'],
  themeConfig: {
    nav: [
      { text: 'Guides', link: '/guide/getting-started' },
      { text: 'CLI', link: '/reference/cli' },
      { text: 'API', link: '/api/' },
    ],
    sidebar: [
      { text: 'Guides', items: guides },
      { text: 'Signers and plugins', items: signers },
      { text: 'Reference', items: reference },
    ],
    search: { provider: 'local' },
    outline: [2, 3],
  },
});
