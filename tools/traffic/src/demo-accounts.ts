/**
 * The demo tenant's logins the traffic uses (apps/server/src/demo-seed.ts creates them; a test keeps the
 * two lists in step). The agents have extensions 1001 to 1008, in this order.
 */
export const demoAccounts = {
  tenant: 'demo',
  password: 'centralita-demo',
  admin: 'admin@fibrasur.example',
  agents: [
    'lucia.fernandez@fibrasur.example',
    'carlos.gomez@fibrasur.example',
    'sofia.ruiz@fibrasur.example',
    'diego.moreno@fibrasur.example',
    'paula.jimenez@fibrasur.example',
    'andres.alonso@fibrasur.example',
    'irene.vazquez@fibrasur.example',
    'raul.castro@fibrasur.example',
  ],
} as const;
