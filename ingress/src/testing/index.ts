export { startTestIngress, TEST_SECRET, type TestIngress, testIngressEnv, webhookBody } from './test-ingress.js';
