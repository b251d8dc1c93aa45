// Package config is Gatehouse's configuration as code: a YAML file
// (`gatehouse serve --config gatehouse.yaml`) that declares user pools,
// their resource servers, app clients, groups and, in dev mode, users, and
// that Apply writes into the directory at start.
//
// The file, in short (docs/gatehouse.example.yaml documents every field):
//
//	pools:
//	  - name: example                   # natural key of the pool
//	    id: us-east-1_Example01         # optional: pin the id, so the issuer is fixed
//	    username_attributes: [email]
//	    password_policy: {minimum_length: 10, require_symbols: false}
//	    account_recovery_setting:       # where reset codes go, priority 1 first
//	      recovery_mechanisms: [{name: verified_email, priority: 1}]
//	    schema: [{name: tier, attribute_data_type: String}]
//	    branding:                       # the hosted UI's look; files relative to this file
//	      logo: branding/logo.svg
//	      primary_color: "#6d28d9"
//	    verification_message_template:  # Cognito's; invite_message_template too
//	      email_subject: Your Acme code
//	      email_message: "<p>Your code is <b>{####}</b>.</p>"
//	    resource_servers:
//	      - identifier: https://api.example.com
//	        name: API
//	        scopes: [{scope_name: read, scope_description: Read things}]
//	    identity_providers:             # Cognito's CreateIdentityProvider, before the clients
//	      - name: Corp                    # natural key within the pool
//	        type: OIDC
//	        provider_details: {client_id: gatehouse, oidc_issuer: https://login.corp.example}
//	        provider_details_from_env: {client_secret: CORP_OIDC_SECRET}
//	        attribute_mapping: {email: email}
//	        idp_identifiers: [corp.example]
//	    clients:
//	      - name: web                     # natural key within the pool
//	        id: demowebclient             # optional pinned id
//	        generate_secret: true         # or secret: <24 to 64 of [A-Za-z0-9_+]>
//	        callback_urls: [http://localhost:3000/callback]
//	        allowed_oauth_flows: [code]
//	        allowed_oauth_scopes: [openid, email]
//	        allowed_oauth_flows_user_pool_client: true
//	        supported_identity_providers: [COGNITO, Corp]
//	        access_token_validity: 60m    # durations: 90s, 60m, 12h, 30d, 1d12h
//	        refresh_token_validity: 30d
//	    groups: [{name: admins, precedence: 1}]
//	    users:                          # applied only with ApplyOptions.Users (dev)
//	      - username: alice@example.com
//	        password: Passw0rd!
//	        attributes: {email_verified: "true"}
//	        groups: [admins]
//
// # Reading
//
// Parse and Load decode strictly: an unknown field, a value of the wrong
// type, a duplicate key or a second document is refused. yaml.v3's
// Decoder.KnownFields does not reach through custom unmarshalers and its
// errors name no field, so the file is read into a yaml.Node tree and
// walked by hand (decode.go): every value's path
// (pools[0].clients[1].callback_urls[0]) and line are kept, and every
// error is one sentence naming both. Everything that can be checked without
// a store is checked before Parse returns — names, required fields, enum
// values, URLs, ids, secrets, durations, the password policy and the users'
// passwords against it, the account recovery mechanisms, identity
// provider names and identifiers, details read from the environment
// (provider_details_from_env; an unset variable is an error) — using the
// directory's own rules (NormalizePool, NormalizeClient,
// ValidateRedirectURL, ValidatePassword, CheckProviderName,
// ValidateAccountRecovery) where it has them. ProviderDetails and
// AttributeMapping are checked when applied (they need the connectors and
// the stored schema), with the line of the detail at fault.
//
// # Applying
//
// Apply upserts by natural key: a pool by its pinned id, else by name; a
// resource server by identifier; an identity provider by name (its type
// cannot change; its secret details are sealed at rest, and compared
// opened, so an unchanged file writes nothing); a client by its pinned id,
// else by name within the pool; a group by name; a user by username. It
// runs in one store transaction, so a file that fails half-way writes
// nothing, and it
// writes only what differs, so applying the same file twice changes nothing
// (not even UpdatedAt). The file is authoritative for the fields it can
// express: a field left out takes Cognito's default, not the stored value,
// so a setting made through the API since (UpdateUserPool's password
// policy, messages, account recovery…) is put back or cleared at the next
// start; what the file cannot express (tags, the tier,
// AttributesRequireVerificationBeforeUpdate) keeps its stored value.
// Apply never deletes anything the file does not name, and it refuses to
// change what Cognito makes immutable (username and alias attributes, case
// sensitivity, existing schema attributes); custom attributes may be added.
//
// Users are applied only when asked (dev mode). A user is created with the
// file's password if missing; an existing user keeps their password and
// status, gets the declared attribute values, and is made a member of
// exactly the declared groups.
package config
