// The default VitePress theme plus the live cube component (guide/live-cube.md).
import DefaultTheme from 'vitepress/theme';
import type { Theme } from 'vitepress';
import LiveCube from './live-cube.vue';

export default {
  extends: DefaultTheme,
  enhanceApp({ app }) {
    app.component('LiveCube', LiveCube);
  },
} satisfies Theme;
