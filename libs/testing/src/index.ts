export * from './issuer';
export * from './wait';
export * from './http';
export * from './deps';
