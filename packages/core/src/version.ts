/** Version of the plugin contract. A plugin declares the one it was built for. */
export const PLUGIN_API_VERSION = 'pyramids.plugin.v1' as const;
export type PluginApiVersion = typeof PLUGIN_API_VERSION;
