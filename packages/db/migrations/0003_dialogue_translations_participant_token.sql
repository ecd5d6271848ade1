ALTER TABLE "dialogues" ADD COLUMN "translations" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "participations" ADD COLUMN "access_token_hash" text;